/**
 * Names tiles from the labels the page itself shows for them, for the generic adapter and as
 * every site adapter's fallback when its own selectors find no name. In order of trust:
 *
 * 1. `accessible-name`: an accessible name of the picture or of an ancestor that belongs to
 *    this tile alone (`aria-labelledby`, `aria-label`, `title`);
 * 2. `caption`: a caption or heading inside the tile's container (the largest ancestor that
 *    holds no other tile's picture), the nearest to the picture first: `figcaption`, `caption`,
 *    `legend`, `h1`-`h6`, `[role=heading]`, or an element whose class says title or name
 *    (`panel-title`, `displayname`, `participant-name`, ...);
 * 3. `overlay`: a text inside the container drawn over the lower part of the picture (the name
 *    label most call clients put in a tile's corner);
 * 4. `nearby`: a text outside every tile's container whose box sits over the picture's width
 *    just above or below it (within `NEARBY_PX`) and near no other tile's picture.
 *
 * A text never counts when it is inside a button or a form control, looks like a timer, a
 * status ("Muted", "Connecting…", "Camera off"), a figure with a unit ("640x360",
 * "234 kbits/sec"), or a generic word ("Remote video"), or when the page shows it for other
 * tiles too: the same text, or a numbered template such as "Remote Video #1" / "#2" (the same
 * text but for its digits), in two tiles or more (so two people who show the same name are
 * left to the fallback). Pure DOM reading: nothing is
 * changed and nothing throws for odd DOM.
 */
import type { NameSource } from '../shared/types.ts';
import { cleanName } from './dom-helpers.ts';

/** Which rule named a tile (see the file comment). */
export type LabelRule = Extract<NameSource, 'accessible-name' | 'caption' | 'overlay' | 'nearby'>;

/** A tile's name as the page shows it. */
export interface PageLabel {
  name: string;
  rule: LabelRule;
}

/** A nearby text counts when its box is at most this far above or below the picture, CSS px. */
export const NEARBY_PX = 40;

/** Longest label taken as a name, characters (after `cleanName`); longer texts are sentences. */
const MAX_NAME = 60;

/** Captions, headings and elements whose class marks a title or a name. */
const CAPTION = 'figcaption, caption, legend, h1, h2, h3, h4, h5, h6, [role="heading"], [class*="title" i], [class*="name" i]';

/** Where a text is never a name: controls, scripts, hidden parts. */
const NOT_A_LABEL = 'button, [role="button"], input, select, textarea, option, script, style, noscript, template, [hidden], [aria-hidden="true"]';

const TIMER = /^[([]?\s*\d{1,2}(:\d{2}){1,2}\s*[)\]]?$/;
const STATUS =
  /^(muted|unmuted|mute|unmute|speaking|talking|connecting|reconnecting|connected|disconnected|loading|buffering|waiting|camera (is )?off|video (is )?off|no video|no camera|paused|live|on air|hd|sd|host|co-?host|guest|presenting|screen ?sharing|raised hand|hand raised|you|me|pinned|spotlight(ed)?|poor connection|low bandwidth)\W*$/i;
const FIGURE = /^[\d.,\s]+(x\s*\d+|fps|kbps|mbps|kbit(s)?\/s(ec)?|mbit(s)?\/s(ec)?|kb\/s|mb\/s|ms|p|%)?$/i;
const GENERIC = /^((local|remote|your|my)\s+)?(video|camera|stream|feed|participant|user|tile|screen|picture|preview)s?(\s*#?\s*\d*)?$/i;

/** A text as compared across tiles: lower case, spaces collapsed, every digit run as `#`. */
function template(text: string): string {
  return text.toLowerCase().replace(/\s+/g, ' ').trim().replace(/\d+/g, '#');
}

/** True when `text` can never be a name on its own (empty, timer, status, figure, generic word, punctuation). */
export function isNotAName(text: string): boolean {
  const t = text.replace(/\s+/g, ' ').trim();
  return t === '' || !/\p{L}/u.test(t) || TIMER.test(t) || STATUS.test(t) || FIGURE.test(t) || GENERIC.test(t);
}

/** The trimmed text nodes under `root` that are not inside a control or a hidden part. */
function textPieces(root: Element): { text: string; parent: Element }[] {
  const out: { text: string; parent: Element }[] = [];
  const walk = (el: Element) => {
    if (el.matches(NOT_A_LABEL)) return;
    for (const node of el.childNodes) {
      if (node.nodeType === 3) {
        const text = (node.textContent ?? '').replace(/\s+/g, ' ').trim();
        if (text) out.push({ text, parent: el });
      } else if (node.nodeType === 1) {
        walk(node as Element);
      }
    }
  };
  walk(root);
  return out;
}

/** The largest ancestor of `media` (or `media` itself) that holds no other picture of `all`, below `<body>`. */
function containerOf(media: Element, all: readonly Element[]): Element {
  let container = media;
  for (let parent = media.parentElement; parent && parent.localName !== 'body' && parent.localName !== 'html'; parent = parent.parentElement) {
    if (all.some((other) => other !== media && parent.contains(other))) break;
    container = parent;
  }
  return container;
}

/** True when box `a` overlaps at least half of box `b`'s width horizontally. */
function overWidth(a: DOMRect, b: DOMRect): boolean {
  const overlap = Math.min(a.right, b.right) - Math.max(a.left, b.left);
  return b.width > 0 && overlap >= b.width / 2;
}

/** Vertical gap between boxes `a` and `b`, CSS px (0 when they overlap vertically). */
function verticalGap(a: DOMRect, b: DOMRect): number {
  return Math.max(0, a.top - b.bottom, b.top - a.bottom);
}

/** Options of `pageLabels`. */
export interface LabelOptions {
  /**
   * False to skip rule 1 (accessible names), for a site whose ARIA labels are sentences in the
   * UI's language rather than names (Meet: "do not parse them for names", CALL-SITES.md).
   * Default true.
   */
  accessibleNames?: boolean;
}

/**
 * The page's label of each picture in `medias` (the tiles' `<video>` / `<canvas>` elements, in
 * any order), by the rules of the file comment; null where no text qualifies.
 * @returns one entry per element of `medias`, in the same order.
 */
export function pageLabels(medias: readonly Element[], options: LabelOptions = {}): (PageLabel | null)[] {
  const doc = medias[0]?.ownerDocument;
  if (!doc) return [];
  const containers = medias.map((m) => containerOf(m, medias));
  const boxes = medias.map((m) => m.getBoundingClientRect());

  // Texts the page shows for more than one tile (numbered templates compared without their
  // digits): a label of a role or a layout, not of a person.
  const seenIn = new Map<string, Set<number>>();
  const note = (text: string, i: number) => {
    const key = template(text);
    let tiles = seenIn.get(key);
    if (!tiles) seenIn.set(key, (tiles = new Set()));
    tiles.add(i);
  };
  containers.forEach((c, i) => {
    for (const p of textPieces(c)) note(p.text, i);
    for (let el: Element | null = medias[i]!; el; el = el === c ? null : el.parentElement) {
      for (const attr of ['aria-label', 'title']) {
        const v = el.getAttribute(attr);
        if (v?.trim()) note(v, i);
      }
    }
  });
  const shared = (text: string): boolean => (seenIn.get(template(text))?.size ?? 0) >= 2;
  const usable = (text: string) => !isNotAName(text) && !shared(text);
  /** The usable pieces of `el`'s text joined, cleaned; '' when none. */
  const nameIn = (el: Element): string => {
    const name = cleanName(
      textPieces(el)
        .map((p) => p.text)
        .filter(usable)
        .join(' '),
    );
    return name.length <= MAX_NAME ? name : '';
  };

  // Texts outside every tile's container, for the nearby rule: leaf elements with text.
  const inTile = (el: Element) => containers.some((c) => c.contains(el) || el.contains(c));
  let outside: { el: Element; box: DOMRect }[] | null = null;
  const outsideTexts = () => {
    if (outside) return outside;
    outside = [];
    const scope = doc.body ?? doc.documentElement;
    for (const el of scope.querySelectorAll('*')) {
      if (outside.length > 2000) break;
      if (el.childElementCount > 0 && ![...el.childNodes].some((n) => n.nodeType === 3 && n.textContent?.trim())) continue;
      if (!el.textContent?.trim() || inTile(el) || el.closest(NOT_A_LABEL)) continue;
      outside.push({ el, box: el.getBoundingClientRect() });
    }
    return outside;
  };

  return medias.map((media, i) => {
    const container = containers[i]!;
    // 1. Accessible names on the picture and the ancestors that are this tile's alone.
    for (let el: Element | null = options.accessibleNames === false ? null : media; el; el = el === container ? null : el.parentElement) {
      const ids = el.getAttribute('aria-labelledby')?.trim();
      if (ids) {
        const text = cleanName(
          ids
            .split(/\s+/)
            .map((id) => doc.getElementById(id)?.textContent ?? '')
            .join(' '),
        );
        if (text && usable(text) && text.length <= MAX_NAME) return { name: text, rule: 'accessible-name' };
      }
      for (const attr of ['aria-label', 'title']) {
        const text = cleanName(el.getAttribute(attr));
        if (text && usable(text) && text.length <= MAX_NAME) return { name: text, rule: 'accessible-name' };
      }
    }
    if (container === media) return nearby(i);
    // 2. Captions and headings of the container, the nearest first: those of the picture's
    // own panel before those of a wider part of the page (its title, when one tile is left).
    for (let level = media.parentElement; level; level = level === container ? null : level.parentElement) {
      for (const el of level.querySelectorAll(CAPTION)) {
        if (el.contains(media) || el.closest(NOT_A_LABEL)) continue;
        const name = nameIn(el);
        if (name) return { name, rule: 'caption' };
      }
    }
    // 3. A text over the lower part of the picture.
    const box = boxes[i]!;
    for (const p of textPieces(container)) {
      if (p.parent.contains(media) || !usable(p.text)) continue;
      const r = p.parent.getBoundingClientRect();
      const cy = r.top + r.height / 2;
      if (r.width > 0 && cy >= box.top + box.height * 0.6 && cy <= box.bottom && r.left >= box.left - 1 && r.right <= box.right + 1) {
        const name = cleanName(p.text);
        if (name.length <= MAX_NAME) return { name, rule: 'overlay' };
      }
    }
    return nearby(i);
  });

  /** 4. A text just above or below picture `i`, near no other picture. */
  function nearby(i: number): PageLabel | null {
    const box = boxes[i]!;
    let best: { name: string; gap: number } | null = null;
    for (const t of outsideTexts()) {
      if (t.box.width <= 0 || !overWidth(box, t.box)) continue;
      const gap = verticalGap(box, t.box);
      if (gap > NEARBY_PX) continue;
      if (boxes.some((b, j) => j !== i && overWidth(b, t.box) && verticalGap(b, t.box) <= NEARBY_PX)) continue;
      const name = nameIn(t.el);
      if (name && (!best || gap < best.gap)) best = { name, gap };
    }
    return best ? { name: best.name, rule: 'nearby' } : null;
  }
}

/**
 * Gives every tile of `tiles` without a name (`name` '') the page's label of its picture (and
 * `nameFrom` its rule), else `fallback(i)` (i: its index in `tiles`; `nameFrom` 'fallback').
 * Tiles that have a name keep it. Changes `tiles` in place and returns it.
 */
export function fillNames<T extends { name: string; video: Element; nameFrom?: string }>(tiles: T[], fallback: (i: number) => string, options: LabelOptions = {}): T[] {
  if (tiles.every((t) => t.name)) return tiles;
  const labels = pageLabels(
    tiles.map((t) => t.video),
    options,
  );
  tiles.forEach((t, i) => {
    if (t.name) return;
    const label = labels[i];
    t.name = label?.name || fallback(i);
    t.nameFrom = label?.rule ?? 'fallback';
  });
  return tiles;
}
