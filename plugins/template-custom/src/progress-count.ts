/**
 * Progress events carry non-negative safe integers (core's event schema); user code may report
 * fractions, negative or huge numbers (1e300), which must not fail the run. `done > total` is the
 * user's business and left as it is.
 */
export function toProgressCount(value: number): number {
  if (Number.isNaN(value)) return 0;
  return Math.min(Math.max(Math.trunc(value), 0), Number.MAX_SAFE_INTEGER);
}
