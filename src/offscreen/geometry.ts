/** Pure geometry of tiles and crops: CSS px of the page -> pixels of a captured frame -> tfjs crop boxes. */
import type { Rect } from '../shared/types.ts';

/**
 * Maps a tile rect in the page's CSS px to pixels of a captured frame of
 * `frameWidth` x `frameHeight`: tab capture scales the viewport to the frame, so the
 * scale is frame size / viewport size on each axis (devicePixelRatio is folded in).
 */
export function cssRectToFrame(rect: Rect, viewport: { width: number; height: number }, frameWidth: number, frameHeight: number): Rect {
  const sx = frameWidth / viewport.width;
  const sy = frameHeight / viewport.height;
  return { x: rect.x * sx, y: rect.y * sy, width: rect.width * sx, height: rect.height * sy };
}

/**
 * `rect` (pixels) as a normalised cropAndResize box [y1, x1, y2, x2]. tfjs maps a box
 * coordinate v to pixel v * (size - 1), so the first and last pixel centres of the rect are
 * y / (H - 1) and (y + h - 1) / (H - 1): the crop of a region is then the same whatever
 * frame it sits in (a tile in a grid gives the same pixels as the tile alone).
 */
export function pixelBox(rect: Rect, width: number, height: number): [number, number, number, number] {
  const w = Math.max(1, width - 1);
  const h = Math.max(1, height - 1);
  return [rect.y / h, rect.x / w, (rect.y + rect.height - 1) / h, (rect.x + rect.width - 1) / w];
}

/** `rect` clipped to a width x height source, rounded to whole pixels; null when empty. */
export function clipRect(rect: Rect, width: number, height: number): Rect | null {
  const x0 = Math.max(0, Math.floor(rect.x));
  const y0 = Math.max(0, Math.floor(rect.y));
  const x1 = Math.min(width, Math.ceil(rect.x + rect.width));
  const y1 = Math.min(height, Math.ceil(rect.y + rect.height));
  if (x1 <= x0 || y1 <= y0) return null;
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/**
 * Moves `box` along with the tile it sits in: maps it from tile rect `from` to tile rect `to`
 * (both in the same pixel space) by the affine map that takes `from` onto `to`, so a face
 * box follows a tile that moved or was resized. Returns `box` unchanged when `from` is empty.
 */
export function mapRect(box: Rect, from: Rect, to: Rect): Rect {
  if (from.width <= 0 || from.height <= 0) return box;
  const sx = to.width / from.width;
  const sy = to.height / from.height;
  return { x: to.x + (box.x - from.x) * sx, y: to.y + (box.y - from.y) * sy, width: box.width * sx, height: box.height * sy };
}

/** `rect` intersected with `bounds`; a zero-size rect at the nearest point when they do not overlap. */
export function intersectRect(rect: Rect, bounds: Rect): Rect {
  const x0 = Math.min(Math.max(rect.x, bounds.x), bounds.x + bounds.width);
  const y0 = Math.min(Math.max(rect.y, bounds.y), bounds.y + bounds.height);
  const x1 = Math.max(Math.min(rect.x + rect.width, bounds.x + bounds.width), x0);
  const y1 = Math.max(Math.min(rect.y + rect.height, bounds.y + bounds.height), y0);
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/** Intersection over union of two rects, in [0, 1] (0 when either is empty). */
export function iou(a: Rect, b: Rect): number {
  const w = Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x));
  const h = Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));
  const union = a.width * a.height + b.width * b.height - w * h;
  return union > 0 ? (w * h) / union : 0;
}
