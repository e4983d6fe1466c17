// Worker module for poolifier's thread pool: task functions by name for `execute(data, name)`.
// Poolifier can transfer only toward the worker (results are always copied), so no moving echo.
import { ThreadWorker } from 'poolifier';
import { poolifierTasks } from './poolifier-tasks.js';

export default new ThreadWorker(poolifierTasks);
