/**
 * Reads a tile's pixels in the call page (Firefox, which has no tab capture): draws the
 * tile's `<video>` or `<canvas>` into a canvas of the tile's shape, as the page shows it
 * (object-fit `cover` crops, `contain` letterboxes, `fill` stretches; a self view mirrored
 * with `transform: scaleX(-1)` is mirrored too), scaled so the longer side is at most
 * `maxSide` px, and returns the RGBA pixels. Never throws into the page: every failure
 * becomes a `TileFrameProblem`.
 */
import type { TileFrame, TileFrameProblem } from '../shared/messages.ts';
import { chooseAdapter } from './platforms/index.ts';

/** HTMLMediaElement.HAVE_CURRENT_DATA: the video has a frame to draw. */
const HAVE_CURRENT_DATA = 2;
/** Pixels sampled (at most) when checking whether a read-back is fully transparent. */
const BLANK_SAMPLES = 4096;

/** Where the source's pixels land inside the element's box (CSS px, relative to the box), per CSS object-fit. */
export interface FittedRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * The rectangle the source (`sourceWidth` x `sourceHeight` px) covers inside a box of
 * `boxWidth` x `boxHeight` for CSS `object-fit` `fit` (object-position centre): `fill`
 * stretches, `cover` overflows the box (the caller clips), `contain` / `scale-down` / `none`
 * fit inside (`none` and `scale-down` are treated as `contain`: tiles scale their video).
 * Returns the box itself for a source without size.
 */
export function fitRect(fit: string, sourceWidth: number, sourceHeight: number, boxWidth: number, boxHeight: number): FittedRect {
  if (fit === 'fill' || sourceWidth <= 0 || sourceHeight <= 0) return { x: 0, y: 0, width: boxWidth, height: boxHeight };
  const scale = fit === 'cover' ? Math.max(boxWidth / sourceWidth, boxHeight / sourceHeight) : Math.min(boxWidth / sourceWidth, boxHeight / sourceHeight);
  const width = sourceWidth * scale;
  const height = sourceHeight * scale;
  return { x: (boxWidth - width) / 2, y: (boxHeight - height) / 2, width, height };
}

/** True when a computed CSS `transform` is a left-right mirror (`scaleX(-1)`: matrix(-1, 0, 0, 1, tx, ty)). */
export function isMirrored(transform: string): boolean {
  const m = /^matrix\(([^)]+)\)$/.exec(transform.trim());
  if (!m) return false;
  const [a, b, c, d] = m[1]!.split(',').map(Number);
  return a! < 0 && d! > 0 && Math.abs(b!) < 1e-6 && Math.abs(c!) < 1e-6;
}

/** True when no sampled pixel of `image` has a non-zero alpha (nothing was drawn, or the drawing was cleared). */
export function isBlank(image: { width: number; height: number; data: Uint8ClampedArray<ArrayBuffer> }): boolean {
  const pixels = image.width * image.height;
  const step = Math.max(1, Math.floor(pixels / BLANK_SAMPLES));
  for (let i = 0; i < pixels; i += step) if (image.data[i * 4 + 3]! !== 0) return false;
  return true;
}

function problem(id: string, why: TileFrameProblem): TileFrame {
  return { id, image: null, problem: why };
}

function isSecurityError(error: unknown): boolean {
  return error instanceof DOMException ? error.name === 'SecurityError' : /SecurityError|insecure|tainted|cross-origin/i.test(String(error));
}

/**
 * Reads one tile's media element (a `<video>` or `<canvas>`, or an element holding one). `scratch` is a reusable canvas (resized as needed).
 * @param maxSide longest side of the result in px (at least 1); the result is never larger
 *   than the tile's CSS size times `devicePixelRatio`.
 */
export function readTileFrame(id: string, element: Element, maxSide: number, scratch: HTMLCanvasElement, devicePixelRatio = 1): TileFrame {
  try {
    // The adapters report the tile's media element; a wrapper (Zoom's <video-player-container>) holds it.
    const media = (element.matches('video, canvas') ? element : element.querySelector('video, canvas')) as HTMLVideoElement | HTMLCanvasElement | null;
    if (!media) return problem(id, 'gone');
    const box = media.getBoundingClientRect();
    if (box.width < 1 || box.height < 1) return problem(id, 'gone');
    const isVideo = media.tagName === 'VIDEO';
    const video = media as HTMLVideoElement;
    const sourceWidth = isVideo ? video.videoWidth : media.width;
    const sourceHeight = isVideo ? video.videoHeight : media.height;
    if (sourceWidth === 0 || sourceHeight === 0 || (isVideo && video.readyState < HAVE_CURRENT_DATA)) return problem(id, 'not-ready');
    const scale = Math.min(Math.max(devicePixelRatio, 0.1), Math.max(1, maxSide) / Math.max(box.width, box.height));
    const width = Math.max(1, Math.round(box.width * scale));
    const height = Math.max(1, Math.round(box.height * scale));
    const style = getComputedStyle(media);
    const fitted = fitRect(style.objectFit || (isVideo ? 'contain' : 'fill'), sourceWidth, sourceHeight, width, height);
    if (scratch.width !== width || scratch.height !== height) {
      scratch.width = width;
      scratch.height = height;
    }
    const ctx = scratch.getContext('2d', { willReadFrequently: true });
    if (!ctx) return problem(id, 'not-ready');
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, width, height);
    if (isMirrored(style.transform)) ctx.setTransform(-1, 0, 0, 1, width, 0);
    ctx.drawImage(media, fitted.x, fitted.y, fitted.width, fitted.height);
    let image: ImageData;
    try {
      image = ctx.getImageData(0, 0, width, height);
    } catch (error) {
      if (isSecurityError(error)) return problem(id, 'tainted');
      throw error;
    }
    // Only plain data crosses contexts: Firefox's messaging does not clone an ImageData.
    return isBlank(image) ? problem(id, 'blank') : { id, image: { width, height, data: image.data }, problem: null };
  } catch (error) {
    // drawImage itself throws for a broken video; treat anything unexpected as "no frame yet".
    return problem(id, isSecurityError(error) ? 'tainted' : 'not-ready');
  }
}

/** Reads tiles for one page: finds them by id through the adapters, with one scratch canvas. */
export interface TileFrameReader {
  /**
   * The current pixels of the tiles `ids` (in that order), each at most `maxSide` px on its
   * longer side; a tile the adapters no longer find is `gone`. Never throws.
   */
  read(ids: readonly string[], maxSide: number): TileFrame[];
}

/** Creates a reader for the tiles of `doc` (the call page). */
export function createTileFrameReader(doc: Document = document): TileFrameReader {
  let scratch: HTMLCanvasElement | null = null;
  return {
    read(ids, maxSide) {
      try {
        const win = doc.defaultView ?? window;
        const found = new Map(chooseAdapter(doc, win.location).tiles.map((t) => [t.id, t.video]));
        scratch ??= doc.createElement('canvas');
        return ids.map((id) => {
          const media = found.get(id);
          return media ? readTileFrame(id, media, maxSide, scratch!, win.devicePixelRatio) : problem(id, 'gone');
        });
      } catch {
        return ids.map((id) => problem(id, 'not-ready'));
      }
    },
  };
}
