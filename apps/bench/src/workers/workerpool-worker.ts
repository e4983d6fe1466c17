// Worker script for workerpool (thread and process): registers the tasks under their names for `exec`.
import workerpool from 'workerpool';
import { TASKS } from '../tasks.js';

workerpool.worker({
  ...TASKS,
  /** Returns the array moved, not copied (workerpool transfers what a `Transfer` lists). */
  echoMoved: (data: Uint8Array) => new workerpool.Transfer(data, [data.buffer]),
});
