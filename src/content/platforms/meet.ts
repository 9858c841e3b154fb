/**
 * Google Meet adapter. Relies only on stable data attributes and the `notranslate` name span
 * (see docs/sites.md): never on ARIA labels for names (they change with the UI language),
 * obfuscated class names or `jsname`/`jscontroller` values. Presentations (screen shares) have
 * no documented stable marker: a tile is skipped when it, or an ancestor, is named like one
 * (id, class, `data-*type` or an English `aria-label` with "presentation" / "screen share").
 */
import { area, inScreenShare, pickMedia } from '../dom-helpers.ts';
import { fillNames } from '../page-labels.ts';
import type { FoundTile, PlatformAdapter } from './index.ts';

const TILE = '[data-participant-id]';

/** True when an ancestor of `tile` is itself a tile holding a video (then that outer one is the tile). */
function hasOuterTile(tile: Element): boolean {
  for (let a = tile.parentElement?.closest(TILE); a; a = a.parentElement?.closest(TILE)) {
    if (a.querySelector('video')) return true;
  }
  return false;
}

/** Google Meet (meet.google.com): tiles are `[data-participant-id]` elements holding a `<video>`. */
export const meetAdapter: PlatformAdapter = {
  name: 'meet',
  hostPatterns: ['https://meet.google.com/*'],

  matchesUrl: (url) => url.hostname === 'meet.google.com',

  looksLike: (doc) => doc.querySelector(`${TILE} video`) !== null,

  findTiles(doc) {
    const tiles: FoundTile[] = [];
    const indexOf = new Map<string, number>();
    for (const element of doc.querySelectorAll(TILE)) {
      const id = element.getAttribute('data-participant-id')?.trim();
      const videos = [...element.querySelectorAll('video')];
      if (!id || videos.length === 0 || hasOuterTile(element)) continue;
      // Meet has no documented stable marker for a presentation tile: skip tiles named like one.
      if (inScreenShare(element)) continue;
      const name = [...element.querySelectorAll('span.notranslate')]
        .map((span) => span.textContent?.trim() ?? '')
        .find((text) => text !== '');
      const tile: FoundTile = {
        id,
        name: name ?? '',
        element,
        video: pickMedia(videos),
        isSelf: element.matches('[data-self-name]') || element.querySelector('[data-self-name]') !== null,
      };
      const at = indexOf.get(id);
      // The same participant rendered twice: one report, for the copy whose video is larger.
      if (at === undefined) indexOf.set(id, tiles.push(tile) - 1);
      else if (area(tile.video) > area(tiles[at]!.video)) tiles[at] = tile;
    }
    // No name of the site's own: the label the page shows for the tile (not its ARIA label,
    // a sentence in the UI's language on Meet), else "Participant N".
    return fillNames(tiles, (i) => `Participant ${i + 1}`, { accessibleNames: false });
  },
};
