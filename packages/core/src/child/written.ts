/**
 * For ChildChannel.send: runs `write` now — so a message that cannot be serialized still throws
 * synchronously — and returns a promise of the moment `write` calls back that it is written out.
 */
export function written(write: (done: () => void) => void): Promise<void> {
  let done!: () => void;
  const promise = new Promise<void>((resolve) => {
    done = resolve;
  });
  write(() => done());
  return promise;
}
