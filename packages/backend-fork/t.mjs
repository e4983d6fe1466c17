import { readdirSync, readlinkSync } from 'node:fs';
import { getContext, isMainProcess } from '@mproc/core';

if (isMainProcess()) {
  const context = getContext(process.env.M ?? 'fork');
  const fds = () => {
    globalThis.gc();
    const m = {};
    for (const f of readdirSync('/proc/self/fd')) {
      let t;
      try {
        t = readlinkSync('/proc/self/fd/' + f).replace(/\d+/g, 'N');
      } catch {
        t = '?';
      }
      m[t] = (m[t] ?? 0) + 1;
    }
    return JSON.stringify(m) + ' ' + JSON.stringify(process.getActiveResourcesInfo());
  };
  async function cycle(parts) {
    if (parts.includes('pool')) {
      const pool = context.Pool({ processes: 1 });
      await pool.apply((v) => v + 1, [1]);
      await pool.terminate();
    }
    if (parts.includes('proc')) {
      const child = context.Process({ target: () => undefined });
      await child.start();
      await child.join();
    }
    if (parts.includes('queue')) {
      const q = context.Queue();
      await q.put(1);
      await q.get();
      await q.close();
    }
    if (parts.includes('mgr')) {
      const m = await context.Manager();
      await m.list([1]).append(2);
      await m.shutdown();
    }
  }
  const parts = process.env.P.split(',');
  await cycle(parts);
  await new Promise((r) => setTimeout(r, 300));
  const a = fds();
  for (let i = 0; i < 10; i++) await cycle(parts);
  await new Promise((r) => setTimeout(r, 500));
  console.log(parts.join(','), a, '\n ->', fds());
}
