/**
 * A frame source (pipeline.ts `FrameSource`) over one `<video>` element of an extension page:
 * the file analysis and the mirror read their video through it as one tile.
 */
import type { TileReport } from '../shared/types.ts';
import { imageMaxSide, type FrameSource, type TileCapture } from './pipeline.ts';

/**
 * The frame source of `video`: its current frame as the first tile asked for, scaled as the
 * live sources scale a tile (longer side at most `imageMaxSide(tile, maxSide)` px, never
 * enlarged). The tile's `cssRect` is the whole frame in video px, so boxes come back in video
 * px. The size is read at every frame, so a video whose resolution changes mid-way is read as
 * it is now. Null (no frame yet) while the video has no size or no current frame.
 */
export function videoFrameSource(video: HTMLVideoElement): FrameSource {
  const canvas = new OffscreenCanvas(1, 1);
  const ctx = canvas.getContext('2d', { willReadFrequently: false });
  return {
    read(tiles: readonly TileReport[], _viewport, maxSide: number): Promise<TileCapture[] | null> {
      const tile = tiles[0];
      const vw = video.videoWidth;
      const vh = video.videoHeight;
      if (!tile || !ctx || !vw || !vh || video.readyState < HTMLMediaElement.HAVE_CURRENT_DATA) return Promise.resolve(null);
      const scale = Math.min(1, imageMaxSide(tile, maxSide) / Math.max(vw, vh));
      canvas.width = Math.max(1, Math.round(vw * scale));
      canvas.height = Math.max(1, Math.round(vh * scale));
      ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
      return Promise.resolve([{ id: tile.id, image: canvas, width: canvas.width, height: canvas.height, cssRect: { x: 0, y: 0, width: vw, height: vh } }]);
    },
  };
}
