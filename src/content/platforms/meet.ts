/**
 * Google Meet adapter. Relies only on stable data attributes and the `notranslate` name span
 * (see CALL-SITES.md): never on ARIA labels for names (they change with the UI language),
 * obfuscated class names or `jsname`/`jscontroller` values. Presentations (screen shares) have
 * no documented stable marker: a tile is skipped when it, or an ancestor, is named like one
 * (id, class, `data-*type` or an English `aria-label` with "presentation" / "screen share").
 */
import { inScreenShare } from '../dom-helpers.ts';
import type { FoundTile, PlatformAdapter } from './index.ts';

const TILE = '[data-participant-id]';

/** Area in CSS px² of `el`'s border box (0 when not rendered). */
function area(el: Element): number {
  const r = el.getBoundingClientRect();
  return Math.max(0, r.width) * Math.max(0, r.height);
}

/** True when `video` is playing: not paused, not ended, with a current frame. */
function isPlaying(video: HTMLVideoElement): boolean {
  return !video.paused && !video.ended && video.readyState >= 2;
}

/**
 * The video of a tile that holds several: the largest visible playing one, else the largest
 * visible one, else the first. Visible = rendered (not display:none / visibility:hidden) with
 * a non-zero box.
 */
function pickVideo(videos: HTMLVideoElement[]): HTMLVideoElement {
  if (videos.length === 1) return videos[0]!;
  let best = videos[0]!;
  let bestScore = -1;
  for (const v of videos) {
    const a = area(v);
    const visible = a > 0 && v.checkVisibility({ visibilityProperty: true, checkVisibilityCSS: true });
    // Playing beats merely visible; within each class the larger area wins.
    const score = visible ? (isPlaying(v) ? 2 : 1) * 1e9 + a : -1;
    if (score > bestScore) [best, bestScore] = [v, score];
  }
  return best;
}

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
        name: name ?? `Participant ${(indexOf.get(id) ?? tiles.length) + 1}`,
        element,
        video: pickVideo(videos),
        isSelf: element.matches('[data-self-name]') || element.querySelector('[data-self-name]') !== null,
      };
      const at = indexOf.get(id);
      // The same participant rendered twice: one report, for the copy whose video is larger.
      if (at === undefined) indexOf.set(id, tiles.push(tile) - 1);
      else if (area(tile.video) > area(tiles[at]!.video)) tiles[at] = tile;
    }
    return tiles;
  },
};
