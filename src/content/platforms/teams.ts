/**
 * Microsoft Teams web adapter (teams.microsoft.com, teams.live.com).
 *
 * What it relies on (docs/sites.md; Teams' `data-tid` / `data-cid` test hooks, which public
 * extensions have read for years, and ARIA):
 * - tiles: the outermost of `[data-cid="calling-participant-stream"]` (classic and v2 clients),
 *   `[data-tid="video-tile"]` and `[data-stream-type]`;
 * - the picture: the tile's `<video>` or `<canvas>` when it has one (whether Teams uses a
 *   `<video>` was not confirmed; tab capture covers both), else the tile itself;
 * - names: `[data-tid*="display-name"]`, else the name tag
 *   `[data-tid="participant-info-nametag"]`, else the tile's `aria-label` up to its first comma
 *   ("Ann Lee, Muted" -> "Ann Lee");
 * - ids: `data-acc-element-id` (the participant's accessibility id, stable while they stay),
 *   else an id kept per tile element (a rebuilt tile with the same name gets it back);
 * - self view: a "(You)" / "(Me)" name suffix, or the mirrored self preview;
 * - speaking: the voice-level outline `[data-tid="voice-level-stream-outline"]` rendered inside
 *   the tile (Teams draws it around the tile of whoever speaks);
 * - screen shares: a `data-stream-type` other than `Video` on the tile or inside it (Teams
 *   marks shared screens `ScreenSharing`), or a tile named like a screen share.
 */
import { cleanName, createIdRegistry, inScreenShare, looksMirrored, nameSaysSelf, outermost, pickMedia } from '../dom-helpers.ts';
import { fillNames } from '../page-labels.ts';
import type { FoundTile, PlatformAdapter } from './index.ts';

const TILE = '[data-cid="calling-participant-stream"], [data-tid="video-tile"], [data-stream-type]';
const HOSTS = new Set(['teams.microsoft.com', 'teams.live.com']);

const registry = createIdRegistry('teams-tile-');

/** True when the tile (or a stream inside it) is a stream other than a participant's camera. */
function isScreenShare(tile: Element): boolean {
  const types = [tile, ...tile.querySelectorAll('[data-stream-type]')].map((el) => el.getAttribute('data-stream-type'));
  return types.some((t) => t !== null && t.trim() !== '' && t.trim().toLowerCase() !== 'video') || inScreenShare(tile);
}

/** True while Teams draws its voice-level outline in the tile (rendered, not hidden by CSS). */
function isSpeaking(tile: Element): boolean {
  const outline = tile.querySelector('[data-tid="voice-level-stream-outline"]');
  return outline !== null && outline.checkVisibility({ visibilityProperty: true, checkVisibilityCSS: true });
}

/** The raw display-name text of a tile ('' when it has none). */
function rawNameOf(tile: Element): string {
  const tag = tile.querySelector('[data-tid*="display-name"]') ?? tile.querySelector('[data-tid="participant-info-nametag"]');
  const text = tag?.textContent?.trim();
  if (text) return text;
  return (tile.getAttribute('aria-label') ?? '').split(',')[0]!.trim();
}

/** Microsoft Teams web: tiles by `data-cid` / `data-tid` / `data-stream-type`. */
export const teamsAdapter: PlatformAdapter = {
  name: 'teams',
  hostPatterns: ['https://teams.microsoft.com/*', 'https://teams.live.com/*'],

  matchesUrl: (url) => HOSTS.has(url.hostname),

  looksLike: (doc) => doc.querySelector('[data-cid="calling-participant-stream"], [data-tid="video-tile"], [data-tid="calling-stage"]') !== null,

  findTiles(doc) {
    const tiles: FoundTile[] = [];
    const seen = new Set<string>();
    const taken = new Set<string>();
    for (const tile of outermost(doc.querySelectorAll(TILE))) {
      if (isScreenShare(tile)) continue;
      const raw = rawNameOf(tile);
      const name = cleanName(raw);
      const media = [...tile.querySelectorAll('video, canvas')];
      const video = media.length > 0 ? pickMedia(media) : tile;
      const acc = tile.getAttribute('data-acc-element-id')?.trim();
      const id = acc ? `teams-${acc}` : registry.idFor(tile, name ? `name:${name}` : null, taken).id;
      if (seen.has(id)) continue;
      seen.add(id);
      tiles.push({
        id,
        name,
        element: tile,
        video,
        isSelf: nameSaysSelf(raw) || looksMirrored(video, tile),
        speaking: isSpeaking(tile),
      });
    }
    // No name of the site's own: the label the page shows for the tile, else "Participant N".
    return fillNames(tiles, (i) => `Participant ${i + 1}`);
  },
};
