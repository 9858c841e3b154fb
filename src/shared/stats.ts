/** Small statistics shared by the pipeline, the backend choice and the benchmarks. */

/**
 * The median of `values`: the middle value, the upper of the two middle ones for an even
 * count (a value that occurred, as the benchmarks report). NaN for no values. Pure.
 */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}
