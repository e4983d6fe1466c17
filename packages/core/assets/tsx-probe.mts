// Imported by a worker to learn whether TypeScript loads in its thread the way tsx loads it:
// an enum is beyond Node's built-in type stripping, so this fails unless tsx's hooks are active.
export enum Probe {
  Loaded = 1,
}
