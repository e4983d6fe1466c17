/**
 * An error in the shape core's error codec carries (a rebuilt Error of the same class on the other
 * side), for failures this backend reports itself: core does not export its codec to backends.
 */
export function serializedError(error: Error) {
  return {
    tier: 'error',
    className: error.name,
    name: error.name,
    message: error.message,
    stack: error.stack,
    props: {},
  } as const;
}
