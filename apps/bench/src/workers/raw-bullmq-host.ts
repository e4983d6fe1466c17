/**
 * The scale-out bench's peer: a worker host written with BullMQ alone, as its documentation shows
 * (`node raw-bullmq-host.js REDIS_URL QUEUE`). It squares a job's items on its own event loop: no
 * thread, no sealing, no answer ordering, none of what mproc's hosts do besides the job. Prints
 * "ready" once it pulls jobs; SIGTERM closes it.
 */
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';

const [url, queue] = process.argv.slice(2) as [string, string];
const connection = new Redis(url, { maxRetriesPerRequest: null });
const worker = new Worker(queue, async (job) => (job.data.items as number[]).map((x) => x * x), {
  connection,
  // As an mproc host of one thread: one job running, one more taken.
  concurrency: 2,
});
await worker.waitUntilReady();
console.log('ready');
process.once('SIGTERM', () => {
  void worker.close().then(() => connection.disconnect());
});
