/**
 * Which of the parent's Node options a worker inherits. Options that only describe how the parent
 * was started (`-e`, `--input-type`, `--test`, `--watch`, ...) would make a worker's own entry fail,
 * so they are left out; loaders, conditions, heap sizes and the like are kept.
 */

/** Options that take the next argument as their value when not written `--flag=value`. */
const WITH_VALUE = new Set([
  '-e',
  '--eval',
  '-p',
  '--print',
  '-r',
  '--require',
  '--import',
  '--loader',
  '-C',
]);

const PARENT_ONLY = [
  /^--input-type(=|$)/,
  /^(-e|--eval)(=|$)/,
  /^(-p|--print)(=|$)/,
  /^(-c|--check)$/,
  /^(-i|--interactive)$/,
  /^--test(-|=|$)/,
  /^--watch(-|=|$)/,
];

export function inheritableExecArgv(execArgv: readonly string[]): string[] {
  const kept: string[] = [];
  for (let index = 0; index < execArgv.length; index++) {
    const option = execArgv[index] as string;
    const takesNext = WITH_VALUE.has(option);
    if (PARENT_ONLY.some((pattern) => pattern.test(option))) {
      if (takesNext) index++;
      continue;
    }
    kept.push(option);
    if (takesNext && index + 1 < execArgv.length) kept.push(execArgv[++index] as string);
  }
  return kept;
}
