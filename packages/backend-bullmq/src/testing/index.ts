/**
 * For tests, examples and benchmarks of the 'bullmq' start method: a real redis-server on a free
 * loopback port, and worker hosts started as `mproc-worker` processes.
 *
 * @module @mproc/backend-bullmq/testing
 */
export { hasRedisServer, type RedisServer, startRedis } from './redis-server.js';
export { authkeyFile, type HostProcess, runHost, startHost } from './worker-hosts.js';
