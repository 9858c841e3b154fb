/**
 * The frame budget of a large call: which of the visible tiles a frame analyses when all of
 * them would not fit in `live.frameBudgetMs`. Round-robin by longest wait, as the face
 * tracker's periodic re-detection is: every tile gets its turn, and each frame stays short, so
 * the live view stays fresh. Pure (no clock of its own).
 */

/**
 * Tiles of the first frame, before any cost is known: a call of 49 tiles would otherwise be
 * detected all at once in one frame of many seconds on a slow machine, with nothing to show
 * until it ends.
 */
export const FIRST_FRAME_TILES = 4;

/** Weight of the newest frame in the running estimate of the cost per tile (exponential moving average). */
export const COST_SMOOTHING = 0.3;

/**
 * The tiles a frame analyses: all of `tiles` when they fit in `budgetMs` (the first
 * FIRST_FRAME_TILES while `perTileMs` is unknown); else the `floor(budgetMs / perTileMs)` (at least one) that waited longest since
 * their last turn (`lastTurn`: tile id -> ms; a tile never analysed waits longest), in the
 * order of `tiles`.
 * @param perTileMs recent cost of analysing one tile, ms (null before the first frame).
 */
export function scheduleTiles<T extends { id: string }>(tiles: readonly T[], lastTurn: ReadonlyMap<string, number>, budgetMs: number, perTileMs: number | null): T[] {
  if (perTileMs !== null && (perTileMs <= 0 || tiles.length * perTileMs <= budgetMs)) return [...tiles];
  const fit = perTileMs === null ? FIRST_FRAME_TILES : Math.max(1, Math.floor(budgetMs / perTileMs));
  if (fit >= tiles.length) return [...tiles];
  const waited = tiles.map((t, index) => ({ index, since: lastTurn.get(t.id) ?? -Infinity }));
  waited.sort((a, b) => a.since - b.since || a.index - b.index);
  const chosen = new Set(waited.slice(0, fit).map((w) => w.index));
  return tiles.filter((_, index) => chosen.has(index));
}

/**
 * The running estimate of the cost per tile after a frame whose inference took `ms` for
 * `tiles` tiles. Inference only: the frame's fixed costs (reading the capture, publishing
 * the view) spread over a few tiles would make each look dearer, so fewer would be chosen,
 * and the frame's share of fixed costs would grow: measured at 49 tiles, that spiral cut the
 * analyses to 2.7 a second from 6.0 without a budget.
 */
export function updateCost(previous: number | null, ms: number, tiles: number): number | null {
  if (tiles <= 0 || !(ms >= 0)) return previous;
  const perTile = ms / tiles;
  return previous === null ? perTile : previous + COST_SMOOTHING * (perTile - previous);
}
