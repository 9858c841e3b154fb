/**
 * Zoom web client adapter (app.zoom.us/wc, <org>.zoom.us). Zoom paints participant video
 * into WebGL canvases, not `<video>` elements, and a WebGL canvas drawn without
 * `preserveDrawingBuffer` reads back blank: the pixels come from tab capture, cropped to the
 * tile's rectangle, so this adapter only has to say where each tile is.
 *
 * What it relies on (docs/sites.md, and the web client's DOM as public scripts read it):
 * - tiles: the video-frame elements of each view: gallery
 *   `.gallery-video-container__video-frame`, speaker view `.speaker-active-container__video-frame`
 *   (the active speaker) and `.speaker-bar-container__video-frame` (the filmstrip), and
 *   `.single-main-container__video-frame`; newer builds put them inside a
 *   `<video-player-container>` with one `<video-player>` per participant;
 * - the picture: the frame's own `<canvas>` / `<video>` when it has one, else its
 *   `<video-player>`, else the `.video-avatar__avatar` box, else the frame (older builds paint
 *   every tile into one shared canvas under positioned frames);
 * - names: `.video-avatar__avatar-footer` (the name tag), else `.video-avatar__avatar-name`;
 * - ids: the `node-id` of the `<video-player>` (Zoom's user id), else an all-digit class on the
 *   frame (older builds add the user id as a class), else an id kept per frame element;
 * - self view: a "(Me)" / "(You)" name suffix, or a mirrored picture ("Mirror my video" is on
 *   by default for one's own camera);
 * - speaking: in speaker view the `.speaker-active-container__video-frame` is the active
 *   speaker (the filmstrip's others are not speaking); gallery view marks the speaker only by
 *   a styled border, which is not read, so gallery tiles leave speaking to the face;
 * - screen shares: drawn in the `.sharee-container` canvas, outside every video frame, so they
 *   are never tiles; frames inside a share container are skipped as well.
 */
import { area, cleanName, createIdRegistry, inScreenShare, looksMirrored, nameSaysSelf, outermost, pickMedia } from '../dom-helpers.ts';
import { fillNames } from '../page-labels.ts';
import type { FoundTile, PlatformAdapter } from './index.ts';

const FRAME = [
  '.gallery-video-container__video-frame',
  '.speaker-active-container__video-frame',
  '.speaker-bar-container__video-frame',
  '.single-main-container__video-frame',
].join(', ');
const NAME = '.video-avatar__avatar-footer, .video-avatar__avatar-name';
/** Speaker view's main frame: the active speaker. */
const ACTIVE_FRAME = '.speaker-active-container__video-frame';

const registry = createIdRegistry('zoom-tile-');

/** The element whose rect is the frame's picture (see the file comment). */
function pictureOf(frame: Element): Element {
  const media = [...frame.querySelectorAll('canvas, video')];
  if (media.length > 0) return pickMedia(media);
  return frame.querySelector('video-player') ?? frame.querySelector('.video-avatar__avatar') ?? frame;
}

/** Zoom's user id for a frame, or null: `<video-player node-id>`, else an all-digit class. */
function userIdOf(frame: Element): string | null {
  const nodeId = frame.querySelector('video-player[node-id]')?.getAttribute('node-id')?.trim();
  if (nodeId) return nodeId;
  return [...frame.classList].find((c) => /^\d{3,}$/.test(c)) ?? null;
}

/** Zoom web client: tiles are video frames whose pictures are WebGL canvases. */
export const zoomAdapter: PlatformAdapter = {
  name: 'zoom',
  hostPatterns: ['https://*.zoom.us/*'],

  matchesUrl: (url) => url.hostname === 'zoom.us' || url.hostname.endsWith('.zoom.us'),

  looksLike: (doc) => doc.querySelector(`video-player-container, ${FRAME}`) !== null,

  findTiles(doc) {
    const tiles: FoundTile[] = [];
    const indexOf = new Map<string, number>();
    const taken = new Set<string>();
    const frames = outermost(doc.querySelectorAll(FRAME))
      .filter((frame) => !inScreenShare(frame))
      .map((frame) => {
        const raw = (frame.querySelector(NAME)?.textContent ?? '').trim();
        return { frame, raw, name: cleanName(raw), userId: userIdOf(frame) };
      });
    // A frame without a user id (a filmstrip copy, an older build) belongs to the participant
    // of the same name that has one; else to the id this frame (or its name) had before.
    const speakerView = frames.some((f) => f.frame.matches(ACTIVE_FRAME));
    const idOfName = new Map<string, string>();
    for (const f of frames) if (f.userId && f.name && !idOfName.has(f.name)) idOfName.set(f.name, `zoom-${f.userId}`);
    for (const { frame, raw, name, userId } of frames) {
      const video = pictureOf(frame);
      const id = userId ? `zoom-${userId}` : (name && idOfName.get(name)) || registry.idFor(frame, name ? `name:${name}` : null, taken).id;
      if (name && !idOfName.has(name)) idOfName.set(name, id);
      const tile: FoundTile = {
        id,
        name,
        element: frame,
        video,
        isSelf: nameSaysSelf(raw) || looksMirrored(video, frame),
        ...(speakerView ? { speaking: frame.matches(ACTIVE_FRAME) } : {}),
      };
      const at = indexOf.get(id);
      // Speaker view can show one participant twice (main frame and filmstrip): keep the larger.
      if (at === undefined) indexOf.set(id, tiles.push(tile) - 1);
      else if (area(tile.video) > area(tiles[at]!.video)) tiles[at] = { ...tile, isSelf: tile.isSelf || tiles[at]!.isSelf, ...(speakerView ? { speaking: tile.speaking || tiles[at]!.speaking } : {}) };
      else if (tile.speaking) tiles[at] = { ...tiles[at]!, speaking: true };
    }
    // No name of the site's own: the label the page shows for the tile, else "Participant N".
    return fillNames(tiles, (i) => `Participant ${i + 1}`);
  },
};
