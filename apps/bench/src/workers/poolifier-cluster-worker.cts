// Worker module for poolifier's cluster pool: task functions by name for `execute(data, name)`.
//
// CommonJS on purpose: poolifier's primary sends its first message as soon as the cluster worker
// is online. An ES module worker registers its message listener only after its imports have
// loaded asynchronously, so that message can arrive first and be lost, and every task then hangs
// (seen with poolifier 5.3.2 on Node 20). A CommonJS worker registers synchronously at start.
// The shared tasks are ES modules, loaded synchronously with require(esm) (Node >= 20.19).
import poolifier = require('poolifier');
import tasks = require('./poolifier-tasks.js');

export = new poolifier.ClusterWorker(tasks.poolifierTasks);
