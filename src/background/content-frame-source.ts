/**
 * Firefox's frame source (Firefox has no tab capture): at each tick it asks the analysed
 * tab's content script for the tiles' current pixels (`content/read-frames`: each tile's
 * `<video>` or `<canvas>` drawn as the page shows it, RGBA, structured-cloned by Firefox's
 * messaging) and hands them to the pipeline as they are, one image per tile.
 */
import { sendToTab, type TileFrameProblem } from '../shared/messages.ts';
import type { TileReport } from '../shared/types.ts';
import { imageMaxSide, type FrameSource, type TileCapture } from '../engine/pipeline.ts';
import { frameProblemNotice } from './tile-frames.ts';

/** The tiles of one tab, read by its content script. */
export class ContentFrameSource implements FrameSource {
  /** The last lasting problem of each tile (cleared when it reads fine again). */
  readonly problems = new Map<string, TileFrameProblem>();

  constructor(private readonly tabId: number) {}

  async read(tiles: readonly TileReport[], _viewport: { width: number; height: number }, maxSide: number): Promise<TileCapture[] | null> {
    if (tiles.length === 0) return [];
    // One request per image size (multi-person tiles get larger images; see imageMaxSide).
    const bySide = new Map<number, string[]>();
    for (const t of tiles) {
      const side = imageMaxSide(t, maxSide);
      bySide.set(side, [...(bySide.get(side) ?? []), t.id]);
    }
    const replies = await Promise.all([...bySide].map(([side, ids]) => sendToTab(this.tabId, 'content/read-frames', { ids, maxSide: side }).catch(() => null)));
    if (replies.some((r) => !r)) return null;
    const reply = { frames: replies.flatMap((r) => r!.frames) };
    const rects = new Map(tiles.map((t) => [t.id, t.rect]));
    const out: TileCapture[] = [];
    for (const f of reply.frames) {
      if (f.problem === 'tainted' || f.problem === 'blank') this.problems.set(f.id, f.problem);
      else if (!f.problem) this.problems.delete(f.id);
      const cssRect = rects.get(f.id);
      if (!f.image || !cssRect) continue;
      out.push({ id: f.id, image: new ImageData(f.image.data, f.image.width, f.image.height), width: f.image.width, height: f.image.height, cssRect });
    }
    return out;
  }

  notice(tiles: readonly TileReport[]): string | null {
    return frameProblemNotice(this.problems, tiles);
  }
}
