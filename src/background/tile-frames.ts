/**
 * Pure helpers of Firefox's frame composition (used by firefox-host.ts): the scale of the
 * composed frame and the user-facing notice for tiles whose pixels cannot be read.
 */
import type { TileFrame, TileFrameProblem } from '../shared/messages.ts';
import type { TileReport } from '../shared/types.ts';

/** The frame is laid out like the viewport at this many px per CSS px at most (and at least MIN). */
export const MAX_FRAME_SCALE = 2;
export const MIN_FRAME_SCALE = 0.25;

/**
 * The user-facing notice for tiles whose pixels Firefox will not give (null when none):
 * names each tile with a lasting problem (`tainted`, `blank`); transient ones are not shown.
 */
export function frameProblemNotice(problems: ReadonlyMap<string, TileFrameProblem>, tiles: readonly TileReport[]): string | null {
  const named = (kind: TileFrameProblem) =>
    tiles.filter((t) => problems.get(t.id) === kind).map((t) => t.name);
  const parts: string[] = [];
  const tainted = named('tainted');
  if (tainted.length) {
    parts.push(
      `Cannot read this tile's pixels in Firefox: ${tainted.join(', ')} (its video comes from another site without CORS permission), so it is not analysed. In Chrome, tab capture can read it.`,
    );
  }
  const blank = named('blank');
  if (blank.length) {
    parts.push(
      `Cannot read this tile's pixels in Firefox: ${blank.join(', ')} (the page draws it on a canvas that reads back empty, as WebGL tiles do), so it is not analysed. In Chrome, tab capture can read it.`,
    );
  }
  return parts.length ? parts.join(' ') : null;
}

/**
 * Scale (frame px per CSS px) of the composed frame: the finest scale any tile arrived at,
 * so no tile is shrunk further, clamped to [MIN_FRAME_SCALE, MAX_FRAME_SCALE]; 1 when no
 * tile has pixels.
 */
export function frameScale(frames: readonly TileFrame[], rects: ReadonlyMap<string, { width: number }>): number {
  let scale = 0;
  for (const f of frames) {
    const rect = rects.get(f.id);
    if (f.image && rect && rect.width > 0) scale = Math.max(scale, f.image.width / rect.width);
  }
  return scale > 0 ? Math.min(MAX_FRAME_SCALE, Math.max(MIN_FRAME_SCALE, scale)) : 1;
}
