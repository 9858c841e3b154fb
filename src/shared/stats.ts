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

/** The last `size` numbers pushed, for rolling medians (frame rate, inference time, latency). */
export class RollingWindow {
  private values: number[] = [];
  constructor(private readonly size: number) {}
  push(v: number): void {
    this.values.push(v);
    if (this.values.length > this.size) this.values.shift();
  }
  /** The median, 0 before any value. */
  median(): number {
    return this.values.length ? median(this.values) : 0;
  }
  /** The values, oldest first. */
  get all(): readonly number[] {
    return this.values;
  }
}
