/**
 * Small DOM helpers shared by the call-site adapters (`platforms/*.ts`): box areas, picking the
 * media element of a tile, the self-view and screen-share hints every site has in some form,
 * display-name clean-up, and an id registry that keeps ids stable across re-layout. They only
 * read the page; none of them modifies it or throws for odd DOM.
 */

/** Area in CSS px² of `el`'s border box (0 when not rendered). */
export function area(el: Element): number {
  const r = el.getBoundingClientRect();
  return Math.max(0, r.width) * Math.max(0, r.height);
}

/** True when `el` is rendered: not display:none / visibility:hidden, with a non-zero box. */
export function isRendered(el: Element): boolean {
  return area(el) > 0 && el.checkVisibility({ visibilityProperty: true, checkVisibilityCSS: true });
}

/** True when `video` is playing: not paused, not ended, with a current frame. */
export function isPlaying(video: HTMLVideoElement): boolean {
  return !video.paused && !video.ended && video.readyState >= 2;
}

/**
 * What a tile's picture shows: `picture` (a canvas, or a video with a frame or on its way to
 * one), `camera-off` (a video paused or ended with no frame: 0x0, or whose MediaStream has no
 * live video track: the sender stopped or turned the camera off), `gone` (a video with no
 * source at all: no `srcObject`, no `src`; the left-over element of someone who left).
 */
export function mediaState(media: Element): 'picture' | 'camera-off' | 'gone' {
  if (!isVideo(media)) return 'picture';
  const stream = media.srcObject as { getVideoTracks?: () => { readyState: string; muted: boolean }[] } | null;
  if (!stream && !media.currentSrc && !media.getAttribute('src')) return 'gone';
  if (stream?.getVideoTracks && !stream.getVideoTracks().some((t) => t.readyState === 'live')) return 'camera-off';
  if (media.videoWidth === 0 && (media.paused || media.ended)) return 'camera-off';
  return 'picture';
}

/** True for a `<video>` element (by tag name, so it also holds for happy-dom's and other windows' elements). */
export function isVideo(el: Element): el is HTMLVideoElement {
  return el.localName === 'video';
}

/**
 * The media element of a tile that holds several: the largest rendered playing `<video>`,
 * else the largest rendered one (video or canvas), else the first. Playing only counts for
 * `<video>` (a canvas has no play state).
 * @param media candidates, in document order; must not be empty.
 */
export function pickMedia<T extends Element>(media: readonly T[]): T {
  if (media.length === 1) return media[0]!;
  let best = media[0]!;
  let bestScore = -1;
  for (const m of media) {
    const a = area(m);
    const visible = a > 0 && m.checkVisibility({ visibilityProperty: true, checkVisibilityCSS: true });
    // Playing beats merely visible; within each class the larger area wins.
    const score = visible ? (isVideo(m) && isPlaying(m) ? 2 : 1) * 1e9 + a : -1;
    if (score > bestScore) [best, bestScore] = [m, score];
  }
  return best;
}

/**
 * The elements of `candidates` that have no ancestor in `candidates` (the outermost of nested
 * matches), in their original order. Sites often put the same marker on a tile and on an inner
 * wrapper; the outermost one is the tile.
 */
export function outermost<T extends Element>(candidates: Iterable<T>): T[] {
  const all = [...candidates];
  const set = new Set<Element>(all);
  return all.filter((el) => {
    for (let a = el.parentElement; a; a = a.parentElement) if (set.has(a)) return false;
    return true;
  });
}

/** Horizontal scale sign of a CSS `transform` value: -1 when it mirrors left-right, else 1. */
export function transformFlipsX(transform: string): boolean {
  const t = transform.trim();
  if (!t || t === 'none') return false;
  const matrix = /^matrix\(\s*([-\d.e]+)/i.exec(t);
  if (matrix) return Number(matrix[1]) < 0;
  const m3 = /^matrix3d\(\s*([-\d.e]+)/i.exec(t);
  if (m3) return Number(m3[1]) < 0;
  // Not resolved to a matrix (happy-dom, inline styles): count the x-scale signs.
  let flips = 0;
  for (const s of t.matchAll(/scale(X|3d)?\(\s*(-?[\d.]+)/gi)) if (Number(s[2]) < 0) flips++;
  for (const s of t.matchAll(/rotateY\(\s*(-?[\d.]+)deg\)/gi)) if (Math.abs(Number(s[1])) === 180) flips++;
  return flips % 2 === 1;
}

/**
 * True when `media` is shown mirrored (a negative x-scale on it or on an ancestor up to and
 * including `tile`). Call clients show the local camera mirrored, remote cameras never, so a
 * mirrored picture is a self-view hint where a site has no explicit marker.
 */
export function looksMirrored(media: Element, tile: Element = media): boolean {
  const win = media.ownerDocument.defaultView;
  if (!win) return false;
  for (let el: Element | null = media; el; el = el.parentElement) {
    if (transformFlipsX(win.getComputedStyle(el).transform ?? '') || transformFlipsX((el as HTMLElement).style?.transform ?? '')) return true;
    if (el === tile) break;
  }
  return false;
}

/** Words sites use in ids, classes and labels of screen-share containers. */
const SCREEN_SHARE = /screen[-_ ]?shar|sharee|share-?screen|presentation|desktop-?share/i;

/**
 * True when `el` or one of its ancestors is named like a screen-share container (id, class,
 * `data-*-type` value or `aria-label` containing "screen share", "sharee", "presentation",
 * ...). A heuristic for the generic adapter; site adapters use their site's own markers.
 */
export function inScreenShare(el: Element): boolean {
  for (let a: Element | null = el; a; a = a.parentElement) {
    const cls = typeof a.className === 'string' ? a.className : a.getAttribute('class') ?? '';
    if (SCREEN_SHARE.test(a.id) || SCREEN_SHARE.test(cls)) return true;
    const label = a.getAttribute('aria-label');
    if (label && SCREEN_SHARE.test(label)) return true;
    for (const attr of a.getAttributeNames()) {
      if (attr.startsWith('data-') && attr.endsWith('type') && SCREEN_SHARE.test(a.getAttribute(attr) ?? '')) return true;
    }
  }
  return false;
}

/** Marks a self view's name carries on several sites: "Ann (You)", "Ann (Me)", "You". */
const SELF_SUFFIX = /\s*[([]\s*(you|me)\s*[)\]]\s*$/i;

/** True when a display name says it is the local user ("Ann (You)", "Ann (me)"). */
export function nameSaysSelf(name: string): boolean {
  return SELF_SUFFIX.test(name);
}

/**
 * A display name as the popup should show it: whitespace collapsed, trimmed, a trailing
 * "(You)" / "(Me)" self marker removed, at most 80 characters. Returns '' for no name.
 */
export function cleanName(text: string | null | undefined): string {
  const collapsed = (text ?? '').replace(/\s+/g, ' ').trim();
  return collapsed.replace(SELF_SUFFIX, '').trim().slice(0, 80);
}

/**
 * Hands out ids for tiles that carry no id of their own. An element keeps its id for its
 * lifetime (re-layout, resize and re-ordering never change it). A new element that has the
 * same `key` as one seen before (the same MediaStream, video URL or site attribute) gets that
 * id back, so a participant whose tile is rebuilt keeps its timeline, unless a live element of
 * this pass already holds it.
 */
export interface IdRegistry {
  /**
   * The id of `element`: its own if it had one, else the id last given to `key` when that id
   * is not taken in this pass, else the next new one (`${prefix}${n}`, n = 1, 2, ...).
   * @param taken ids already handed out in the current pass (updated by this call).
   */
  idFor(element: Element, key: string | null, taken: Set<string>): { id: string; n: number };
}

/** Creates an id registry whose new ids are `${prefix}1`, `${prefix}2`, .... */
export function createIdRegistry(prefix: string): IdRegistry {
  const byElement = new WeakMap<Element, number>();
  const byKey = new Map<string, number>();
  let next = 1;
  return {
    idFor(element, key, taken) {
      let n = byElement.get(element);
      if (n === undefined && key !== null) {
        const known = byKey.get(key);
        if (known !== undefined && !taken.has(`${prefix}${known}`)) n = known;
      }
      if (n === undefined || taken.has(`${prefix}${n}`)) n = next++;
      byElement.set(element, n);
      if (key !== null) byKey.set(key, n);
      const id = `${prefix}${n}`;
      taken.add(id);
      return { id, n };
    },
  };
}
