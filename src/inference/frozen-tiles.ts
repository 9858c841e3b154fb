/**
 * The frozen-tile check: a tile whose pixels did not change since its last analysis (frozen
 * or paused video, a still avatar, a black tile) is skipped until it changes or
 * `frozen.recheckMs` passes. Compares a 16x16 gray thumbnail (0..255) of the tile with the
 * one kept at its last analysis by mean absolute difference.
 */
import type { Tensor } from '@vladmandic/human';
import type { InferenceConfig } from './config.ts';
import { cropBoxes, type TileTensor } from './crops.ts';
import type { TF } from './types.ts';

/** Side of the gray thumbnails compared, px. */
export const THUMB_SIDE = 16;

/** Mean absolute difference of two equally long arrays (0 for empty ones). */
export function meanAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  for (let j = 0; j < a.length; j++) diff += Math.abs(a[j]! - b[j]!);
  return a.length ? diff / a.length : 0;
}

/** Per tile key, the thumbnail at its last analysis; decides which tiles are unchanged. Pure (no tensors). */
export class FrozenTiles {
  private readonly thumbs = new Map<string, { thumb: ArrayLike<number>; at: number }>();

  constructor(private readonly frozen: InferenceConfig['frozen']) {}

  /**
   * Whether tile `key` with thumbnail `thumb` at `now` (ms) is unchanged since its last
   * analysis less than `recheckMs` ago. When it is not, `thumb` becomes the kept one.
   */
  unchanged(key: string, thumb: ArrayLike<number>, now: number): boolean {
    const last = this.thumbs.get(key);
    if (last && now - last.at < this.frozen.recheckMs && meanAbsDiff(thumb, last.thumb) < this.frozen.threshold) return true;
    this.thumbs.set(key, { thumb, at: now });
    return false;
  }

  /** Drops the thumbnails of keys not in `keys`. */
  retain(keys: ReadonlySet<string>): void {
    for (const k of this.thumbs.keys()) if (!keys.has(k)) this.thumbs.delete(k);
  }
}

/**
 * Gray 16x16 thumbnails of whole tiles: one batch, one readback.
 * @returns THUMB_SIDE^2 values (0..255) per tile, in order.
 */
export async function thumbnails(tf: TF, tiles: readonly TileTensor[]): Promise<Float32Array[]> {
  if (tiles.length === 0) return [];
  const side = THUMB_SIDE;
  const t = tf.tidy(() => tf.mean(cropBoxes(tf, tiles.map((tile) => ({ tile, box: { x: 0, y: 0, width: tile.width, height: tile.height } })), side), 3)) as Tensor;
  const data = (await t.data()) as Float32Array;
  t.dispose();
  return tiles.map((_, k) => data.slice(k * side * side, (k + 1) * side * side));
}
