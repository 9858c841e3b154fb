/**
 * Jitsi Meet adapter (meet.jit.si, and self-hosted servers, recognised by their DOM).
 *
 * What it relies on (Jitsi Meet is open source: `react/features/filmstrip/components/web/
 * Thumbnail.tsx` and `VirtualScreenshareParticipant.tsx`):
 * - tiles: the filmstrip thumbnails `.videocontainer`, one `<video>` each; remote ones have
 *   `id="participant_<endpoint id>"`, the local one `id="localVideoContainer"` (self view);
 *   the pages are recognised by `#remoteVideos`, `#filmstripRemoteVideosContainer`,
 *   `#localVideoContainer` or `#largeVideoContainer`;
 * - names: the thumbnail's `.displayname` element (`#participant_<id>_name`,
 *   `#localDisplayName`);
 * - ids: the endpoint id from `participant_<id>`; `local` for the self view;
 * - speaking: the dominant speaker's thumbnail has the class `active-speaker`;
 * - skipped: `#largeVideoContainer` (the stage shows again someone who already has a
 *   thumbnail, or a screen share), screen-share thumbnails (virtual participants with id
 *   `participant_<owner>-v1`, the local `#localScreenshare_container` video) and anything named
 *   like a screen share.
 */
import { cleanName, inScreenShare, pickMedia } from '../dom-helpers.ts';
import { fillNames } from '../page-labels.ts';
import type { FoundTile, PlatformAdapter } from './index.ts';

const PAGE_MARKERS = '#remoteVideos, #filmstripRemoteVideosContainer, #localVideoContainer, #largeVideoContainer';

/** True for a thumbnail that shows a screen share rather than a participant's camera. */
function isScreenShare(tile: Element): boolean {
  return /^participant_.+-v\d+$/.test(tile.id) || tile.querySelector('#localScreenshare_container') !== null || inScreenShare(tile);
}

/** Jitsi Meet: `.videocontainer` thumbnails in the filmstrip. */
export const jitsiAdapter: PlatformAdapter = {
  name: 'jitsi',
  hostPatterns: ['https://meet.jit.si/*'],

  matchesUrl: (url) => url.hostname === 'meet.jit.si',

  looksLike: (doc) => doc.querySelector(PAGE_MARKERS) !== null,

  findTiles(doc) {
    const tiles: FoundTile[] = [];
    const seen = new Set<string>();
    for (const tile of doc.querySelectorAll('.videocontainer')) {
      if (tile.id === 'largeVideoContainer' || tile.closest('#largeVideoContainer')) continue;
      if (tile.parentElement?.closest('.videocontainer')) continue; // an inner wrapper, not a tile
      if (isScreenShare(tile)) continue;
      const videos = [...tile.querySelectorAll('video')];
      if (videos.length === 0) continue;
      const local = tile.id.startsWith('localVideoContainer');
      const remote = /^participant_(.+?)(_[a-z]+)?$/i.exec(tile.id);
      const id = local ? 'local' : remote ? remote[1]! : null;
      if (id === null || seen.has(id)) continue;
      seen.add(id);
      const name = cleanName(tile.querySelector('.displayname')?.textContent);
      tiles.push({
        id,
        name,
        element: tile,
        video: pickMedia(videos),
        isSelf: local,
        speaking: tile.classList.contains('active-speaker'),
      });
    }
    // No name of the site's own: the label the page shows for the tile, else "Participant N".
    return fillNames(tiles, (i) => (tiles[i]!.isSelf ? 'Me' : `Participant ${i + 1}`));
  },
};
