/**
 * Emotion overlays drawn over the call page's tiles. Everything lives in one fixed,
 * click-through container with an open shadow root, so the page's CSS cannot reach our boxes
 * and ours cannot reach the page; the page's own elements are never modified.
 */
import { EMOTIONS } from '../shared/emotions.ts';
import type { Emotion } from '../shared/emotions.ts';
import type { ParticipantLive, Rect, TileReport } from '../shared/types.ts';

/** `id` of the overlay container (a light-DOM element appended to `<html>`). */
export const OVERLAY_ROOT_ID = 'callmood-overlay-root';

/** Handle of the overlay layer. */
export interface OverlayLayer {
  /**
   * Draws one box per visible tile at the tile's rect (CSS px, viewport coordinates) with the
   * matching participant's (same id) dominant emotion and confidence ("happy 82%") and 7 bars
   * of its probabilities; "can't tell" (with why: too small, turned away, too dark, blurred)
   * when the face is too poor to read (gap `low-quality`), "no face" when the participant has
   * no face in view, "not analysed" when it is not being analysed, "analysing…" before its
   * first result. While the participant speaks the box is outlined, its label gets a speaker
   * glyph, and it carries `data-speaking="true"` (`data-speaking-source` = `site` or `face`). A multi-person tile
   * (`multiFace`) gets one box per person (participant id `<tile id>#<n>`) on that person's
   * face box instead, once people were found in it. Boxes of tiles no longer given (or no
   * longer visible) are removed. Does nothing after `destroy()`. Writes to the DOM only what
   * changed since the last call.
   */
  update(tiles: TileReport[], participants: ParticipantLive[]): void;
  /** Removes every element the layer added to the document; idempotent. */
  destroy(): void;
}

const COLORS: Record<Emotion, string> = {
  angry: '#e5484d',
  disgust: '#8db600',
  fear: '#8e4ec6',
  happy: '#f5b700',
  sad: '#3e63dd',
  surprise: '#f76b15',
  neutral: '#a0a0a0',
};

const CSS = `
:host { all: initial; }
.box { position: absolute; left: 0; top: 0; box-sizing: border-box; border: 2px solid rgba(255,255,255,.55);
  border-radius: 8px; font: 600 12px/1.25 system-ui, sans-serif; color: #fff; }
.panel { position: absolute; left: 6px; top: 6px; padding: 4px 6px; border-radius: 6px;
  background: rgba(0,0,0,.62); min-width: 84px; }
.bars { display: grid; gap: 2px; margin-top: 3px; }
.bars[hidden] { display: none; }
.track { height: 3px; width: 84px; background: rgba(255,255,255,.18); border-radius: 2px; overflow: hidden; }
.bar { height: 100%; width: 0; }
.box[data-speaking="true"] { border: 3px solid #3fd47a; box-shadow: 0 0 0 1px rgba(0,0,0,.35); }
.box[data-speaking="true"] .panel::before { content: "\\1F50A  "; }
.box[data-uncertain="true"] .panel { font-style: italic; }
${EMOTIONS.map((e) => `.bar.${e} { background: ${COLORS[e]}; }`).join('\n')}
`;

interface Box {
  root: HTMLDivElement;
  label: HTMLDivElement;
  bars: HTMLDivElement;
  fills: HTMLDivElement[];
  /** Last values written, to skip DOM writes that change nothing ('-' = bars never written). */
  geometry: string;
  text: string;
  widths: string;
  /** Last `data-speaking` written: `'true'`, or `''` when absent. */
  speaking: string;
  /** Last `data-speaking-source` written (`site`, `face`), or `''` when absent. */
  source: string;
  /** Last `data-uncertain` written: `'true'`, or `''` when absent. */
  uncertain: string;
}

/** Sets attribute `name` of `el` to `value`, or removes it for `''`. */
function setOrRemove(el: HTMLElement, name: string, value: string): void {
  if (value) el.setAttribute(name, value);
  else el.removeAttribute(name);
}

/** Why a face reads "can't tell", as short words for the box's label. */
const QUALITY_WORDS: Record<NonNullable<ParticipantLive['qualityLimit']>, string> = {
  size: "can't tell: too small",
  pose: "can't tell: turned away",
  light: "can't tell: too dark",
  blur: "can't tell: blurred",
};

/** The label of a participant's box, and its probabilities when there is something to show. */
function describe(p: ParticipantLive | undefined): { text: string; widths: number[] | null } {
  if (!p) return { text: 'analysing…', widths: null };
  if (!p.analysed) return { text: 'not analysed', widths: null };
  if (p.gap === 'low-quality') return { text: p.qualityLimit ? QUALITY_WORDS[p.qualityLimit] : "can't tell", widths: null };
  if (!p.faceVisible) return { text: 'no face', widths: null };
  if (!p.probabilities || !p.dominant || p.confidence === null) return { text: 'analysing…', widths: null };
  const probabilities = p.probabilities;
  return {
    text: `${p.dominant} ${Math.round(p.confidence * 100)}%`,
    widths: EMOTIONS.map((e) => Math.min(1, Math.max(0, probabilities[e]))),
  };
}

/**
 * Creates the (initially empty) overlay layer in `doc`: a `div#callmood-overlay-root`
 * (position fixed, inset 0, pointer-events none, topmost z-index) appended to
 * `doc.documentElement`, holding an open shadow root with the scoped styles and one
 * `[data-callmood-overlay="<participant id>"]` box per drawn tile.
 */
export function createOverlayLayer(doc: Document): OverlayLayer {
  const host = doc.createElement('div');
  host.id = OVERLAY_ROOT_ID;
  const hostStyle: Record<string, string> = {
    all: 'initial',
    position: 'fixed',
    inset: '0',
    'pointer-events': 'none',
    'z-index': '2147483647',
    overflow: 'hidden',
    display: 'block',
  };
  // Inline !important beats any page rule, so the page cannot hide or move the container.
  for (const [prop, value] of Object.entries(hostStyle)) host.style.setProperty(prop, value, 'important');
  const shadow = host.attachShadow({ mode: 'open' });
  const style = doc.createElement('style');
  style.textContent = CSS;
  shadow.append(style);
  doc.documentElement.append(host);

  const boxes = new Map<string, Box>();
  let destroyed = false;

  const makeBox = (id: string): Box => {
    const root = doc.createElement('div');
    root.className = 'box';
    root.setAttribute('data-callmood-overlay', id);
    const panel = doc.createElement('div');
    panel.className = 'panel';
    const label = doc.createElement('div');
    const bars = doc.createElement('div');
    bars.className = 'bars';
    const fills = EMOTIONS.map((e) => {
      const track = doc.createElement('div');
      track.className = 'track';
      const fill = doc.createElement('div');
      fill.className = `bar ${e}`;
      fill.setAttribute('data-emotion', e);
      track.append(fill);
      bars.append(track);
      return fill;
    });
    panel.append(label, bars);
    root.append(panel);
    shadow.append(root);
    return { root, label, bars, fills, geometry: '', text: '', widths: '-', speaking: '', source: '', uncertain: '' };
  };

  return {
    update(tiles, participants) {
      if (destroyed) return;
      // Put the container back if the page's scripts removed it.
      if (!host.isConnected) doc.documentElement.append(host);
      const byId = new Map(participants.map((p) => [p.id, p]));
      const drawn = new Set<string>();
      /** Draws (or moves) the box `id` over `rect` (viewport CSS px) showing `participant`. */
      const draw = (id: string, rect: Rect, participant: ParticipantLive | undefined): void => {
        drawn.add(id);
        const box = boxes.get(id) ?? makeBox(id);
        boxes.set(id, box);
        const { x, y, width, height } = rect;
        const geometry = `${x},${y},${width},${height}`;
        if (geometry !== box.geometry) {
          box.geometry = geometry;
          box.root.style.transform = `translate(${x}px, ${y}px)`;
          box.root.style.width = `${width}px`;
          box.root.style.height = `${height}px`;
        }
        // The frame time lets a benchmark measure frame-to-overlay latency; it is shown anyway.
        const frameTime = participant?.frameTime ? String(participant.frameTime) : '';
        if (frameTime && box.root.dataset.frameTime !== frameTime) box.root.dataset.frameTime = frameTime;
        const { text, widths } = describe(participant);
        if (text !== box.text) box.label.textContent = box.text = text;
        const speaking = participant?.analysed && participant.speaking === true ? 'true' : '';
        if (speaking !== box.speaking) setOrRemove(box.root, 'data-speaking', (box.speaking = speaking));
        const source = speaking ? (participant!.speakingSource ?? '') : '';
        if (source !== box.source) setOrRemove(box.root, 'data-speaking-source', (box.source = source));
        const uncertain = participant?.analysed && participant.gap === 'low-quality' ? 'true' : '';
        if (uncertain !== box.uncertain) setOrRemove(box.root, 'data-uncertain', (box.uncertain = uncertain));
        const widthKey = widths ? widths.map((w) => w.toFixed(3)).join() : '';
        if (widthKey !== box.widths) {
          box.widths = widthKey;
          box.bars.hidden = widths === null;
          widths?.forEach((w, i) => (box.fills[i]!.style.width = `${(w * 100).toFixed(1)}%`));
        }
      };
      for (const tile of tiles) {
        if (!tile.visible || drawn.has(tile.id)) continue;
        // A multi-person tile: one box on each person's face (their face box), while seen.
        const people = tile.multiFace ? participants.filter((p) => p.id.startsWith(`${tile.id}#`)) : [];
        if (people.length > 0) {
          for (const p of people) if (p.faceBox) draw(p.id, p.faceBox, p);
          continue;
        }
        draw(tile.id, tile.rect, byId.get(tile.id));
      }
      for (const [id, box] of boxes) {
        if (drawn.has(id)) continue;
        box.root.remove();
        boxes.delete(id);
      }
    },
    destroy() {
      destroyed = true;
      boxes.clear();
      host.remove();
    },
  };
}
