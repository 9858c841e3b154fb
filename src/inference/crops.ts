/**
 * Batched crops from per-tile frames: each tile is one [1, H, W, 3] float tensor (0..255) in
 * its own pixels; a stage asks for boxes of several tiles at one output size and gets one
 * [n, size, size, 3] batch, in the order asked.
 */
import type { Tensor } from '@vladmandic/human';
import type { Rect } from '../shared/types.ts';
import { pixelBox } from './geometry.ts';
import type { TF } from './types.ts';

/** One tile's pixels as a tensor. */
export interface TileTensor {
  /** [1, height, width, 3] float32, 0..255. */
  frame: Tensor;
  width: number;
  height: number;
}

/** A box (tile px) of one tile. */
export interface TileBox {
  tile: TileTensor;
  box: Rect;
}

/**
 * Bilinear crops of `items` resized to `height` x `width` (default square `size`), one
 * cropAndResize per tile (its boxes together), concatenated in the order of `items`.
 * Call inside `tf.tidy` or dispose of the result. `items` must not be empty.
 * @returns [items.length, height, width, 3] float32, 0..255.
 */
export function cropBoxes(tf: TF, items: readonly TileBox[], size: number, width = size): Tensor {
  if (items.length === 0) throw new Error('cropBoxes needs at least one box');
  const byTile = new Map<TileTensor, number[]>();
  items.forEach((it, k) => byTile.set(it.tile, [...(byTile.get(it.tile) ?? []), k]));
  const parts: Tensor[] = [];
  const order: number[] = [];
  for (const [tile, members] of byTile) {
    parts.push(tf.image.cropAndResize(tile.frame, members.map((k) => pixelBox(items[k]!.box, tile.width, tile.height)), members.map(() => 0), [size, width]) as Tensor);
    order.push(...members);
  }
  if (parts.length === 1) return parts[0]!;
  const joined = tf.concat(parts, 0);
  if (order.every((k, i) => k === i)) return joined;
  return tf.gather(joined, tf.tensor1d(items.map((_, i) => order.indexOf(i)), 'int32')) as Tensor;
}
