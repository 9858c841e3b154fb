/** Pure geometry of tiles and crops: CSS px of the page -> pixels of a captured frame -> tfjs crop boxes. */
import type { Rect } from '../shared/types.ts';

/**
 * Where the page's viewport lies in a captured frame of `frameWidth` x `frameHeight`: tab
 * capture scales the viewport uniformly to fit the frame and centres it, with black bars on
 * the two sides that do not fit (letterboxing; seen here: a 1280x720 viewport captured as
 * 800x600 sits at y = 75..525). With a frame of the viewport's own aspect ratio there are no
 * bars. devicePixelRatio is folded into the scale.
 * @returns px of frame per CSS px, and the offset of the viewport's top-left corner in frame px.
 */
export function viewportInFrame(viewport: { width: number; height: number }, frameWidth: number, frameHeight: number): { scale: number; x: number; y: number } {
  const scale = Math.min(frameWidth / Math.max(1, viewport.width), frameHeight / Math.max(1, viewport.height));
  return { scale, x: (frameWidth - viewport.width * scale) / 2, y: (frameHeight - viewport.height * scale) / 2 };
}

/** Maps a tile rect in the page's CSS px (viewport coordinates) to pixels of a captured frame; see `viewportInFrame`. */
export function cssRectToFrame(rect: Rect, viewport: { width: number; height: number }, frameWidth: number, frameHeight: number): Rect {
  const { scale, x, y } = viewportInFrame(viewport, frameWidth, frameHeight);
  return { x: x + rect.x * scale, y: y + rect.y * scale, width: rect.width * scale, height: rect.height * scale };
}

/** The inverse of `cssRectToFrame`: a rect in frame pixels back to the page's CSS px. */
export function frameRectToCss(rect: Rect, viewport: { width: number; height: number }, frameWidth: number, frameHeight: number): Rect {
  const { scale, x, y } = viewportInFrame(viewport, frameWidth, frameHeight);
  return { x: (rect.x - x) / scale, y: (rect.y - y) / scale, width: rect.width / scale, height: rect.height / scale };
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

/**
 * Intersection over the smaller rect's area, in [0, 1] (0 when either is empty): 1 when one
 * rect lies wholly inside the other, whatever their sizes, where IoU is at most the ratio of
 * their areas ("intersection over minimum", as in the NMS variants that merge nested boxes).
 */
export function overlapOfSmaller(a: Rect, b: Rect): number {
  const w = Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x));
  const h = Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));
  const smaller = Math.min(a.width * a.height, b.width * b.height);
  return smaller > 0 ? (w * h) / smaller : 0;
}

/**
 * Square windows covering `rect`, side = its shorter side, spread evenly along its longer side
 * so that neighbours overlap by at least half a window (a face cut by one window's edge is
 * whole in the next): 1 window for a square, 3 for 16:9. A rect whose sides are within 10 % of
 * each other is returned as is.
 */
export function squareWindows(rect: Rect): Rect[] {
  const side = Math.min(rect.width, rect.height);
  const long = Math.max(rect.width, rect.height);
  if (side <= 0 || long <= side * 1.1) return [rect];
  const n = Math.ceil((2 * long) / side) - 1;
  const step = (long - side) / (n - 1);
  return Array.from({ length: n }, (_, k) =>
    rect.width >= rect.height ? { x: rect.x + k * step, y: rect.y, width: side, height: side } : { x: rect.x, y: rect.y + k * step, width: side, height: side },
  );
}

/**
 * Supersampling factor of each face crop for an area-averaging (antialiased) downscale to a
 * `side` x `side` model input: crop to (k * side)^2 bilinearly, then average k x k blocks.
 * k = floor(shorter box side in px / side), clamped to 1..`maxFactor`, so a 48-px FER crop
 * keeps k = 1 (plain bilinear, no change) and a 200-px face from a large tile gets k = 4,
 * where a plain bilinear resize would read only 4 of every 16 pixels (aliasing).
 * @param boxes face boxes in frame pixels.
 * @param side model input side in px (48 or 64).
 * @returns one integer factor in 1..maxFactor per box.
 */
export function supersampleFactors(boxes: readonly Rect[], side: number, maxFactor = 4): number[] {
  return boxes.map((b) => Math.max(1, Math.min(maxFactor, Math.floor(Math.min(b.width, b.height) / Math.max(1, side)))));
}
