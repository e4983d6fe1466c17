// Worker module for poolifier's cluster pool: task functions by name for `execute(data, name)`.
import { ClusterWorker } from 'poolifier';
import { poolifierTasks } from './poolifier-tasks.js';

export default new ClusterWorker(poolifierTasks);
