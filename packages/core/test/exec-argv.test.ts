import { describe, expect, it } from 'vitest';
import { inheritableExecArgv } from '../src/pool/exec-argv.js';

describe('inheritableExecArgv', () => {
  it('keeps loaders, conditions and heap sizes', () => {
    const argv = [
      '--import',
      'tsx',
      '--conditions=development',
      '--max-old-space-size=64',
      '-r',
      'dotenv/config',
    ];
    expect(inheritableExecArgv(argv)).toEqual(argv);
  });

  it('drops options that only describe how the parent was started', () => {
    expect(
      inheritableExecArgv([
        '--input-type=module',
        '-e',
        'code()',
        '--test',
        '--watch-path=src',
        '--enable-source-maps',
      ]),
    ).toEqual(['--enable-source-maps']);
    expect(inheritableExecArgv(['--eval=x', '-p', '1+1', '--check'])).toEqual([]);
  });
});
