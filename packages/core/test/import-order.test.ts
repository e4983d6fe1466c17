/**
 * Every module of core loads first, on its own, in a fresh module graph: no import cycle leaves a
 * class used before its module has run ("Cannot access 'MutexLock' before initialization" was such a
 * bug, hidden while every entry went through index.ts). The linter's noImportCycles rule keeps cycles
 * out; this checks what it guards against.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';

const SOURCE = fileURLToPath(new URL('../src/', import.meta.url));
const modules = readdirSync(SOURCE, { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.ts') && !file.startsWith('testing'))
  .sort();

describe('each module imported first', () => {
  it('finds the modules', () => {
    expect(modules).toContain('sync/lock.ts');
  });

  for (const file of modules) {
    it(file, async () => {
      vi.resetModules();
      await expect(import(`../src/${file}`)).resolves.toBeTypeOf('object');
    });
  }
});
