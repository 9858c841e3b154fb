/**
 * Frame sources (pipeline.ts `FrameSource`) over one `<video>` element of an extension page:
 * the file analysis and the mirror read their video through them as one tile.
 */
import type { TileReport } from '../shared/types.ts';
import { imageMaxSide, type FrameSource, type TileCapture } from './pipeline.ts';

/**
 * Draws the current frame of `video` into `canvas`, scaled as the live sources scale a tile
 * (longer side at most `imageMaxSide(tile, maxSide)` px, never enlarged), as the capture of
 * `tile`. `size` is the frame's size in video px (default: the video's size now). The
 * capture's `cssRect` is the whole frame in video px, so boxes come back in video px.
 * @returns null while the video has no size or no current frame.
 */
function drawFrame(video: HTMLVideoElement, canvas: OffscreenCanvas, ctx: OffscreenCanvasRenderingContext2D, tile: Pick<TileReport, 'id' | 'rect' | 'multiFace'>, maxSide: number, size = { width: video.videoWidth, height: video.videoHeight }): TileCapture | null {
  const { width: vw, height: vh } = size;
  if (!vw || !vh || video.readyState < HTMLMediaElement.HAVE_CURRENT_DATA) return null;
  const scale = Math.min(1, imageMaxSide(tile, maxSide) / Math.max(vw, vh));
  canvas.width = Math.max(1, Math.round(vw * scale));
  canvas.height = Math.max(1, Math.round(vh * scale));
  ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
  return { id: tile.id, image: canvas, width: canvas.width, height: canvas.height, cssRect: { x: 0, y: 0, width: vw, height: vh } };
}

/**
 * The frame source of `video`: its current frame as the first tile asked for (`drawFrame`).
 * The size is read at every frame, so a video whose resolution changes mid-way is read as it
 * is now. Null (no frame yet) while the video has no size or no current frame.
 */
export function videoFrameSource(video: HTMLVideoElement): FrameSource {
  const canvas = new OffscreenCanvas(1, 1);
  const ctx = canvas.getContext('2d', { willReadFrequently: false });
  return {
    read(tiles: readonly TileReport[], _viewport, maxSide: number): Promise<TileCapture[] | null> {
      const tile = tiles[0];
      const capture = tile && ctx ? drawFrame(video, canvas, ctx, tile, maxSide) : null;
      return Promise.resolve(capture ? [capture] : null);
    },
  };
}

/** A frame source that gives the frame it last held, whatever the video shows by the time it is read. */
export interface HeldFrameSource extends FrameSource {
  /**
   * Takes the current frame of `video` as the capture of `tile` (`drawFrame`: scaled for
   * `maxSide`, the pipeline's `live.tileImageMaxSide`), of `size` video px (the frame's own
   * size, e.g. from its requestVideoFrameCallback metadata).
   * @returns false (and holds nothing) while the video has no size or no current frame.
   */
  hold(tile: Pick<TileReport, 'id' | 'rect' | 'multiFace'>, maxSide: number, size?: { width: number; height: number }): boolean;
}

/**
 * The held-frame source of `video`: `hold()` draws the frame shown now (inside a
 * requestVideoFrameCallback, exactly the frame it reports), `read()` gives that picture for
 * the tile of the same id until the next `hold()`; null when nothing is held or another tile
 * is asked for.
 */
export function heldFrameSource(video: HTMLVideoElement): HeldFrameSource {
  const canvas = new OffscreenCanvas(1, 1);
  const ctx = canvas.getContext('2d', { willReadFrequently: false });
  let held: TileCapture | null = null;
  return {
    hold(tile, maxSide, size) {
      held = ctx ? drawFrame(video, canvas, ctx, tile, maxSide, size) : null;
      return held !== null;
    },
    read(tiles: readonly TileReport[]): Promise<TileCapture[] | null> {
      return Promise.resolve(held && tiles[0]?.id === held.id ? [held] : null);
    },
  };
}
