/**
 * Chrome's frame source: the tab capture stream plays in a `<video>` of the offscreen
 * document; each analysed tile is drawn from it, and only its region, onto a CPU-backed canvas
 * of its own at most `maxSide` px on the longer side, and read back once as ImageData, so no
 * tensor is ever made of the whole frame.
 */
import type { Rect, TileReport } from '../shared/types.ts';
import { imageMaxSide, type FrameSource, type TileCapture } from '../engine/pipeline.ts';
import { clipRect, cssRectToFrame, frameRectToCss } from '../inference/geometry.ts';

/**
 * Where tile `rect` (CSS px) lies in a captured frame of `frameWidth` x `frameHeight` px,
 * clipped to the frame, and the size of the image to draw it at (longer side at most
 * `maxSide`). Null when the tile lies outside the frame. Pure.
 */
export function tileRegion(rect: Rect, viewport: { width: number; height: number }, frameWidth: number, frameHeight: number, maxSide: number): { region: Rect; width: number; height: number } | null {
  const region = clipRect(cssRectToFrame(rect, viewport, frameWidth, frameHeight), frameWidth, frameHeight);
  if (!region) return null;
  const scale = Math.min(1, maxSide / Math.max(region.width, region.height));
  return { region, width: Math.max(1, Math.round(region.width * scale)), height: Math.max(1, Math.round(region.height * scale)) };
}

/** A whole captured frame: what tiles are cut from. */
export interface CapturedFrame {
  image: CanvasImageSource;
  width: number;
  height: number;
}

/** The current frame of a playing `<video>`, or null before its first frame. */
export function videoFrame(video: HTMLVideoElement): () => CapturedFrame | null {
  return () => (video.videoWidth > 0 && video.videoHeight > 0 ? { image: video, width: video.videoWidth, height: video.videoHeight } : null);
}

/** A tile's canvas is dropped when the tile has not been read for this long, ms (a frame may read only some tiles: the frame budget). */
const CANVAS_IDLE_MS = 10_000;

/** Tiles cut from the frames `frame()` gives (the tab capture's `<video>`: `videoFrame`). */
export class TabFrameSource implements FrameSource {
  /** One canvas per tile id, reused while the tile lasts, with when it was last drawn (performance.now() ms). */
  private readonly canvases = new Map<string, { canvas: OffscreenCanvas; usedAt: number }>();

  constructor(private readonly frame: () => CapturedFrame | null) {}

  async read(tiles: readonly TileReport[], viewport: { width: number; height: number }, maxSide: number): Promise<TileCapture[] | null> {
    const frame = this.frame();
    if (!frame) return null;
    const { width: fw, height: fh } = frame;
    const out: TileCapture[] = [];
    const now = performance.now();
    for (const t of tiles) {
      const at = tileRegion(t.rect, viewport, fw, fh, imageMaxSide(t, maxSide));
      if (!at) continue;
      let kept = this.canvases.get(t.id);
      if (!kept) this.canvases.set(t.id, (kept = { canvas: new OffscreenCanvas(at.width, at.height), usedAt: now }));
      kept.usedAt = now;
      const canvas = kept.canvas;
      if (canvas.width !== at.width || canvas.height !== at.height) {
        canvas.width = at.width;
        canvas.height = at.height;
      }
      const ctx = canvas.getContext('2d', { willReadFrequently: true });
      if (!ctx) continue;
      const { region: r } = at;
      ctx.drawImage(frame.image, r.x, r.y, r.width, r.height, 0, 0, at.width, at.height);
      const image = ctx.getImageData(0, 0, at.width, at.height);
      out.push({ id: t.id, image, width: at.width, height: at.height, cssRect: frameRectToCss(r, viewport, fw, fh) });
    }
    for (const [id, kept] of this.canvases) if (now - kept.usedAt > CANVAS_IDLE_MS) this.canvases.delete(id);
    return out;
  }
}
