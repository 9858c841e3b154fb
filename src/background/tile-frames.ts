/** The user-facing notice for tiles whose pixels Firefox cannot read (content-frame-source.ts). Pure. */
import type { TileFrameProblem } from '../shared/messages.ts';
import type { TileReport } from '../shared/types.ts';

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
