/**
 * Generic adapter: any page with `<video>` elements of useful size. Used for unknown sites
 * and as the fail-soft fallback when a site adapter's selectors stop matching.
 */
import type { FoundTile, PlatformAdapter } from './index.ts';

/** Smallest CSS box (width and height, CSS px) of a `<video>` worth treating as a tile. */
export const GENERIC_MIN_SIZE_PX = 96;

/**
 * Creates a generic adapter with its own id bookkeeping: each `<video>` gets `tile-N` the
 * first time this adapter sees it (N = 1, 2, ... in order of first sight) and keeps it for
 * the element's lifetime, so re-layout or re-ordering never renames a tile.
 */
export function createGenericAdapter(): PlatformAdapter {
  const ids = new WeakMap<Element, number>();
  let next = 1;
  return {
    name: 'generic',
    hostPatterns: [],
    matchesUrl: () => false,
    looksLike: (doc) => doc.querySelector('video') !== null,
    findTiles(doc) {
      const tiles: FoundTile[] = [];
      for (const video of doc.querySelectorAll('video')) {
        const box = video.getBoundingClientRect();
        if (box.width < GENERIC_MIN_SIZE_PX || box.height < GENERIC_MIN_SIZE_PX) continue;
        let n = ids.get(video);
        if (n === undefined) ids.set(video, (n = next++));
        const labelled = video.closest('[title], [aria-label]');
        const label = (labelled?.getAttribute('title') || labelled?.getAttribute('aria-label'))?.trim();
        tiles.push({ id: `tile-${n}`, name: label || `Tile ${n}`, element: video, video, isSelf: false });
      }
      return tiles;
    },
  };
}

/** The generic adapter the registry uses (one per page, so ids stay stable across calls). */
export const genericAdapter: PlatformAdapter = createGenericAdapter();
