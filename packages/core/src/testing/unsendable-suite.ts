/**
 * Values that cannot be sent, as properties (fast-check): a function, a symbol, a WeakMap or a Promise
 * anywhere inside a task's arguments or its result fails that one call with SerializationError naming
 * where it is, and the pool goes on. Run once per backend.
 */

import { getContext, SerializationError, type StartMethod } from '@mproc/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rejectionOf, withWorkers } from './bounded.js';

/** What cannot be cloned, and how the error names it. */
type Leaf = 'function' | 'symbol' | 'WeakMap' | 'Promise';

/** One step down into the value: a property of an object (beside other, plain ones) or an array index. */
type Step = { readonly key: string; readonly siblings: Record<string, unknown> } | { readonly index: number };

/**
 * The value with `leaf` at the end of `steps`. Self-contained, so that a worker can run it as a task
 * (it is sent by source text) to build the same value as a result.
 */
const buildValue = (steps: readonly Step[], leaf: Leaf): unknown => {
  let value: unknown =
    leaf === 'function'
      ? () => 1
      : leaf === 'symbol'
        ? Symbol('unsendable')
        : leaf === 'WeakMap'
          ? new WeakMap()
          : new Promise(() => {});
  for (let depth = steps.length - 1; depth >= 0; depth--) {
    const step = steps[depth] as Step;
    if ('key' in step) {
      value = { ...step.siblings, [step.key]: value };
    } else {
      const array: unknown[] = Array.from({ length: step.index + 1 }, (_, index) => index);
      array[step.index] = value;
      value = array;
    }
  }
  return value;
};

/** How the error names the place of the leaf below `root` (as serialize/unclonable-path.ts writes it). */
function pathOf(root: string, steps: readonly Step[]): string {
  return steps.reduce((path, step) => {
    if (!('key' in step)) return `${path}[${step.index}]`;
    return /^[A-Za-z_$][\w$]*$/.test(step.key)
      ? `${path}.${step.key}`
      : `${path}[${JSON.stringify(step.key)}]`;
  }, root);
}

const key = fc.oneof(fc.constantFrom('cb', 'data', 'x1', '$y'), fc.string({ minLength: 1, maxLength: 6 }));
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    key,
    // Plain siblings that do clone; none may share the key (the leaf's own property wins anyway).
    siblings: fc.dictionary(fc.constantFrom('a', 'b', 'c'), fc.jsonValue(), { maxKeys: 3 }),
  }),
  fc.record({ index: fc.nat({ max: 4 }) }),
);
const placed = fc.record({
  steps: fc
    .array(step, { maxLength: 4 })
    .filter((steps) =>
      steps.every((one) => !('key' in one) || (!(one.key in one.siblings) && one.key !== '__proto__')),
    ),
  leaf: fc.constantFrom<Leaf>('function', 'symbol', 'WeakMap', 'Promise'),
});

const inside = (arbitrary: typeof placed) =>
  arbitrary.filter(({ steps, leaf }) => steps.length > 0 || leaf !== 'Promise');

const describeLeaf = (leaf: Leaf) =>
  leaf === 'function' || leaf === 'symbol' ? `a ${leaf}` : `a ${leaf}, which cannot be cloned`;

export function unsendableSuite(method: StartMethod): void {
  const context = getContext(method);

  describe('values that cannot be sent', () => {
    it('property: one anywhere in the arguments fails that call with SerializationError naming its place; the pool goes on', () =>
      withWorkers(context, async (workers) => {
        const pool = workers.pool({ processes: 1 });
        await fc.assert(
          fc.asyncProperty(placed, async ({ steps, leaf }) => {
            const error = await rejectionOf(pool.apply((value: unknown) => value, [buildValue(steps, leaf)]));
            expect(error).toBeInstanceOf(SerializationError);
            expect(error.message).toContain(`${pathOf('args[0]', steps)} is ${describeLeaf(leaf)}`);
          }),
          { numRuns: 25 },
        );
        expect(await pool.apply((value: number) => value * 2, [21])).toBe(42);
      }));

    it('property: one anywhere in a result fails that call with SerializationError naming its place; the pool goes on', () =>
      withWorkers(context, async (workers) => {
        const pool = workers.pool({ processes: 1 });
        await fc.assert(
          // (A task that returns a Promise itself is awaited: a Promise is a result only inside one.)
          fc.asyncProperty(inside(placed), async ({ steps, leaf }) => {
            const error = await rejectionOf(pool.apply(buildValue, [steps, leaf]));
            expect(error).toBeInstanceOf(SerializationError);
            expect(error.message).toContain(`${pathOf('result', steps)} is ${describeLeaf(leaf)}`);
          }),
          { numRuns: 25 },
        );
        expect(await pool.apply((value: number) => value * 2, [21])).toBe(42);
      }));

    it('a 64 MiB string crosses to a worker and back whole', () =>
      withWorkers(context, async (workers) => {
        const pool = workers.pool({ processes: 1 });
        const huge = 'mproc '.repeat((64 * 1024 * 1024) / 6);
        const back = await pool.apply((text: string) => `${text}!`, [huge]);
        expect(back.length).toBe(huge.length + 1);
        expect(back.startsWith('mproc mproc ') && back.endsWith('mproc !')).toBe(true);
      }));
  });
}
