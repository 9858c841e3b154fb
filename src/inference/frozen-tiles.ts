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

/**
 * Mean absolute thumbnail difference (0..255 units) under which two pictures are the same
 * picture: a frozen or paused video repeats its frame exactly (difference 0), while a live
 * camera's noise, averaged into the thumbnail, still moves it by more.
 */
export const IDENTICAL_DIFF = 0.02;

/** Gray level (0..255) under which a thumbnail pixel counts as dark. */
export const DARK_LEVEL = 24;
/**
 * Share of dark thumbnail pixels from which a tile counts as black. Not all of them: call
 * sites draw the participant's name over the video, so a covered camera's tile still has a
 * few bright pixels; a face, even in a dark room, covers far more than the rest.
 */
export const BLACK_SHARE = 0.9;

/** Whether a gray thumbnail (0..255 values) is black: a covered or switched-off camera, a black placeholder. */
export function isBlack(thumb: ArrayLike<number>): boolean {
  let dark = 0;
  for (let j = 0; j < thumb.length; j++) if (thumb[j]! < DARK_LEVEL) dark++;
  return thumb.length > 0 && dark >= BLACK_SHARE * thumb.length;
}

/** Per tile key, the thumbnail at its last analysis; decides which tiles are unchanged. Pure (no tensors). */
export class FrozenTiles {
  private readonly thumbs = new Map<string, { thumb: ArrayLike<number>; at: number; since: number }>();

  constructor(private readonly frozen: InferenceConfig['frozen']) {}

  /**
   * Whether tile `key` with thumbnail `thumb` at `now` (ms) is unchanged since its last
   * analysis less than `recheckMs` ago. When it is not, `thumb` becomes the kept one.
   */
  unchanged(key: string, thumb: ArrayLike<number>, now: number): boolean {
    const last = this.thumbs.get(key);
    const diff = last === undefined ? Infinity : meanAbsDiff(thumb, last.thumb);
    if (last && diff < this.frozen.threshold && now - last.at < this.frozen.recheckMs) {
      if (diff >= IDENTICAL_DIFF) last.since = now;
      return true;
    }
    this.thumbs.set(key, { thumb, at: now, since: last && diff < IDENTICAL_DIFF ? last.since : now });
    return false;
  }

  /** How long tile `key`'s picture has stayed identical (difference under IDENTICAL_DIFF) as of `now`, ms; 0 when unknown or just changed. */
  stillFor(key: string, now: number): number {
    const last = this.thumbs.get(key);
    return last ? Math.max(0, now - last.since) : 0;
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
