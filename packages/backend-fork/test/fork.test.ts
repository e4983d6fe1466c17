import { getContext } from '@mproc/core';
import { untilEveryWorkerAnswers } from '@mproc/core/testing';
import { describe, expect, it } from 'vitest';

describe('fork backend', () => {
  it("passes the parent's execArgv and environment to its workers", async () => {
    process.env.MPROC_FORK_TEST = 'inherited';
    try {
      await using pool = getContext('fork').Pool({ processes: 1 });
      const [execArgv, value] = await pool.apply(() => [process.execArgv, process.env.MPROC_FORK_TEST]);
      expect(value).toBe('inherited');
      expect(execArgv).toEqual(process.execArgv.filter((option) => !option.startsWith('--input-type')));
    } finally {
      delete process.env.MPROC_FORK_TEST;
    }
  });

  it("ignores a task's own messages on the IPC channel", async () => {
    await using pool = getContext('fork').Pool({ processes: 1 });
    const answer = await pool.apply(() => {
      process.send?.({ type: 'not-mproc', hello: 1 });
      process.send?.('a string');
      return 'answer';
    });
    expect(answer).toBe('answer');
  });

  it('each worker is a process of its own', async () => {
    await using pool = getContext('fork').Pool({ processes: 2 });
    await untilEveryWorkerAnswers(pool);
    const pids = await pool.map(
      async () => {
        await new Promise((resolve) => setTimeout(resolve, 50));
        return process.pid;
      },
      [1, 2, 3, 4],
      1,
    );
    expect(pids).not.toContain(process.pid);
    expect(new Set(pids).size).toBe(2);
    expect([...pool.workers].sort()).toEqual([...new Set(pids)].sort());
  });
});
