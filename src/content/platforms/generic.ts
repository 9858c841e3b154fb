/**
 * Generic adapter: any page with `<video>` or `<canvas>` elements of useful size (a recording,
 * a webinar player, a call site CallMood has no adapter for). Used for unknown sites and as
 * the fail-soft fallback when a site adapter's selectors stop matching.
 *
 * What it relies on, having no site knowledge:
 * - tiles: every `<video>` and `<canvas>` whose CSS box is at least 96x96 px, but a video with
 *   no source at all (the left-over element of someone who left); a video without a picture
 *   (paused with no frame, or a stream without a live video track) is a tile whose camera is
 *   off (tile-tracker.ts);
 * - names: the label the page shows for the tile (page-labels.ts: an accessible name, a
 *   caption or heading of the tile's container, a name drawn over the picture, a text just
 *   above or below it); else "Tile N";
 * - self view: a mirrored picture (negative x-scale), which is how call pages show the local
 *   camera;
 * - screen shares: skipped when the element or an ancestor is named like one (id, class,
 *   `data-*type` or `aria-label` with "screen share", "sharee", "presentation", ...);
 * - several people in one picture: when the page has a single such element (a recording, a
 *   webinar, a meeting-room camera) and has never shown more, it is marked `multiFace`, and
 *   each face in it becomes a participant of its own (the last tile left in a call stays one
 *   participant).
 */
import { createIdRegistry, inScreenShare, isVideo, looksMirrored, mediaState } from '../dom-helpers.ts';
import { pageLabels } from '../page-labels.ts';
import type { FoundTile, PlatformAdapter } from './index.ts';

/** Smallest CSS box (width and height, CSS px) of a `<video>` or `<canvas>` worth treating as a tile. */
export const GENERIC_MIN_SIZE_PX = 96;

/** What identifies a media element's picture across a rebuild: its MediaStream or its URL. */
function mediaKey(media: Element): string | null {
  if (isVideo(media)) {
    const stream = media.srcObject as { id?: unknown } | null;
    if (stream && typeof stream.id === 'string') return `stream:${stream.id}`;
    const src = media.currentSrc || media.getAttribute('src');
    if (src) return `src:${src}`;
  }
  return media.id ? `id:${media.localName}#${media.id}` : null;
}

/**
 * Creates a generic adapter with its own id bookkeeping: each media element gets `tile-N` the
 * first time this adapter sees it (N = 1, 2, ... in order of first sight) and keeps it for the
 * element's lifetime, so re-layout, resizing or re-ordering never renames a tile. A new element
 * showing the same MediaStream or URL as an earlier one gets that one's id back.
 */
export function createGenericAdapter(): PlatformAdapter {
  const registry = createIdRegistry('tile-');
  /** True once this page has shown more than one tile (a call, not a single recording). */
  let sawSeveral = false;
  return {
    name: 'generic',
    hostPatterns: [],
    matchesUrl: () => false,
    looksLike: (doc) => doc.querySelector('video, canvas') !== null,
    findTiles(doc) {
      const tiles: FoundTile[] = [];
      const taken = new Set<string>();
      const medias = [...doc.querySelectorAll('video, canvas')].filter((media) => {
        const box = media.getBoundingClientRect();
        // A video with no source at all is the left-over element of someone who left: no tile.
        return box.width >= GENERIC_MIN_SIZE_PX && box.height >= GENERIC_MIN_SIZE_PX && !inScreenShare(media) && mediaState(media) !== 'gone';
      });
      const labels = pageLabels(medias);
      medias.forEach((media, k) => {
        const { id, n } = registry.idFor(media, mediaKey(media), taken);
        const label = labels[k];
        tiles.push({ id, name: label?.name || `Tile ${n}`, nameFrom: label?.rule ?? 'fallback', element: media, video: media, isSelf: looksMirrored(media) });
      });
      // A page with one video only (a recording, a webinar, a meeting room) may show several
      // people in it: each face becomes a participant of its own. Not on a page that has shown
      // several tiles (a call): the last one left there is one person, under the id they had.
      if (tiles.length > 1) sawSeveral = true;
      if (tiles.length === 1 && !tiles[0]!.isSelf && !sawSeveral) tiles[0]!.multiFace = true;
      return tiles;
    },
  };
}

/** The generic adapter the registry uses (one per page, so ids stay stable across calls). */
export const genericAdapter: PlatformAdapter = createGenericAdapter();
