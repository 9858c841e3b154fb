/**
 * Keeps a TilesSnapshot of the call page current: which tiles exist, where their videos are
 * (CSS px, viewport coordinates) and whether they are visible. Runs on the call page's main
 * thread, so it only recomputes when something may have changed (DOM mutations, tile
 * resizes, window resize/scroll, a 1 s safety poll), at most every MIN_GAP_MS, and only
 * reports when the result differs (or as a 2 s heartbeat).
 */
import type { Rect, TileReport, TilesSnapshot } from '../shared/types.ts';
import { mediaState } from './dom-helpers.ts';
import { chooseAdapter } from './platforms/index.ts';

/** A tile's video must be at least this many CSS px wide and high inside the viewport to be visible. */
export const MIN_VISIBLE_PX = 48;
/** Safety poll for CSS moves no observer sees (transitions, transforms), ms. */
export const POLL_MS = 1000;
/** A snapshot is reported at least this often even when nothing changed, ms. */
export const HEARTBEAT_MS = 2000;
/** Bursts of changes are coalesced; recomputes happen at most this often, ms. */
export const MIN_GAP_MS = 100;

/** Attributes whose changes may change the tiles (ids, names, self and screen-share markers, layout). */
const WATCHED_ATTRIBUTES = [
  'data-participant-id',
  'data-self-name',
  'data-stream-type',
  'data-tid',
  'data-acc-element-id',
  'node-id',
  'aria-label',
  'title',
  'id',
  'width',
  'height',
  'style',
  'class',
  'hidden',
];

/**
 * The timers and monotonic clock a tracker schedules with. Handles are opaque: whatever
 * `setTimeout` / `setInterval` return is what `clearTimeout` / `clearInterval` receive.
 */
export interface TrackerTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  setInterval(callback: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
  /** Monotonic time in ms (what spaces recomputes MIN_GAP_MS apart). */
  now(): number;
}

/** `win`'s own timers and `performance.now()`: what the tracker uses on a page. */
function windowTimers(win: Window): TrackerTimers {
  return {
    setTimeout: (callback, ms) => win.setTimeout(callback, ms),
    clearTimeout: (handle) => win.clearTimeout(handle as number),
    setInterval: (callback, ms) => win.setInterval(callback, ms),
    clearInterval: (handle) => win.clearInterval(handle as number),
    now: () => performance.now(),
  };
}

/** Options of `startTileTracker`. */
export interface TileTrackerOptions {
  /** Aborting it stops the tracker and releases every observer, listener and timer. */
  signal: AbortSignal;
  /** Called with each changed snapshot (and at least every HEARTBEAT_MS); never after abort. */
  onSnapshot: (snapshot: TilesSnapshot) => void;
  /** Called when computing or reporting a snapshot threw; defaults to `logOnce`. */
  onError?: (error: unknown) => void;
  /** Document to watch; defaults to `win.document`. */
  doc?: Document;
  /** Window of `doc`; defaults to `doc.defaultView`, then the global `window`. */
  win?: Window;
  /**
   * Timers and clock to schedule with; defaults to `win`'s timers and `performance.now()`.
   * Snapshot times (`takenAt`) and the heartbeat always use `Date.now()`.
   */
  timers?: TrackerTimers;
}

/** Handle of a running tracker. */
export interface TileTracker {
  /** The last snapshot computed (reported or not), or null before the first one. */
  current(): TilesSnapshot | null;
}

const logged = new Set<string>();

/**
 * Logs `error` to the console with a `[CallMood]` prefix, once per distinct context and
 * message for the page's lifetime (so a failing observer cannot flood the page's console).
 */
export function logOnce(context: string, error: unknown): void {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const key = `${context}|${message}`;
  if (logged.has(key) || logged.size >= 200) return;
  logged.add(key);
  console.warn(`[CallMood] ${context}: ${message}`);
}

/**
 * Why a media element with bounding rect `rect` is not visible (visible: rendered, non-zero
 * size, and at least MIN_VISIBLE_PX wide and high once clipped to the viewport of `viewport`
 * CSS px): `not-rendered` (hidden by CSS or no size), `off-screen` (less than MIN_VISIBLE_PX of it in
 * the viewport while it is larger than that), `too-small` (the element itself is under
 * MIN_VISIBLE_PX on a side); null when it is visible.
 */
export function tileHidden(media: Element, rect: Rect, viewport: { width: number; height: number }): TileReport['hidden'] | null {
  if (rect.width <= 0 || rect.height <= 0 || !media.checkVisibility({ visibilityProperty: true, checkVisibilityCSS: true })) return 'not-rendered';
  if (rect.width < MIN_VISIBLE_PX || rect.height < MIN_VISIBLE_PX) return 'too-small';
  const w = Math.min(rect.x + rect.width, viewport.width) - Math.max(rect.x, 0);
  const h = Math.min(rect.y + rect.height, viewport.height) - Math.max(rect.y, 0);
  return w >= MIN_VISIBLE_PX && h >= MIN_VISIBLE_PX ? null : 'off-screen';
}

/** What decides whether a snapshot changed: everything but `takenAt`, rects rounded to 0.5 px. */
function changeKey(s: TilesSnapshot): string {
  const half = (v: number) => Math.round(v * 2) / 2;
  const tiles = s.tiles.map((t) => [t.id, t.name, t.isSelf, t.visible, t.hidden ?? null, t.speaking ?? null, half(t.rect.x), half(t.rect.y), half(t.rect.width), half(t.rect.height)]);
  return JSON.stringify([s.adapter, s.fallbackFrom ?? null, s.site, s.viewport.width, s.viewport.height, s.devicePixelRatio, tiles]);
}

/**
 * Starts tracking the tiles of `doc` and calls `onSnapshot` with the first snapshot right
 * away (synchronously), then whenever it changes. Never throws into the page: errors go to
 * `onError`. Does nothing when `signal` is already aborted.
 */
export function startTileTracker(opts: TileTrackerOptions): TileTracker {
  const { signal, onSnapshot } = opts;
  // The window's own constructors (in tests, happy-dom's; on the page, the page's).
  const win = (opts.win ?? opts.doc?.defaultView ?? window) as Window & typeof globalThis;
  const doc = opts.doc ?? win.document;
  const timers = opts.timers ?? windowTimers(win);
  const onError = opts.onError ?? ((e: unknown) => logOnce('tile tracker', e));
  let latest: TilesSnapshot | null = null;
  let lastKey = '';
  let lastSentAt = -Infinity;
  let lastComputedAt = -Infinity;
  let timer: unknown;
  let observed = new Set<Element>();

  const compute = (): void => {
    timer = undefined;
    if (signal.aborted) return;
    try {
      lastComputedAt = timers.now();
      const choice = chooseAdapter(doc, win.location);
      const viewport = { width: win.innerWidth, height: win.innerHeight };
      const tiles: TileReport[] = choice.tiles.map((t) => {
        const r = t.video.getBoundingClientRect();
        const rect = { x: r.left, y: r.top, width: r.width, height: r.height };
        // A tile whose video shows no picture (camera off, or a sender gone) is not analysed:
        // it reads "camera off", not "no face".
        const hidden = mediaState(t.video) === 'picture' ? tileHidden(t.video, rect, viewport) : 'camera-off';
        return {
          id: t.id,
          name: t.name,
          nameFrom: t.nameFrom ?? 'site',
          rect,
          visible: hidden === null,
          ...(hidden ? { hidden } : {}),
          isSelf: t.isSelf,
          ...(t.multiFace ? { multiFace: true } : {}),
          ...(t.speaking !== undefined ? { speaking: t.speaking } : {}),
        };
      });
      watchSizes(choice.tiles.flatMap((t) => [t.element, t.video]));
      const snapshot: TilesSnapshot = {
        adapter: choice.adapter.name,
        fallbackFrom: choice.fallback && choice.site ? choice.site.name : null,
        site: win.location.hostname,
        viewport,
        devicePixelRatio: win.devicePixelRatio,
        tiles,
        takenAt: Date.now(),
      };
      latest = snapshot;
      const key = changeKey(snapshot);
      if (key === lastKey && snapshot.takenAt - lastSentAt < HEARTBEAT_MS) return;
      lastKey = key;
      lastSentAt = snapshot.takenAt;
      onSnapshot(snapshot);
    } catch (error) {
      onError(error);
    }
  };

  /** Coalesces a burst of change signals into one recompute, at most every MIN_GAP_MS. */
  const schedule = (): void => {
    if (timer !== undefined || signal.aborted) return;
    timer = timers.setTimeout(compute, Math.max(16, lastComputedAt + MIN_GAP_MS - timers.now()));
  };

  const resizes = typeof win.ResizeObserver === 'function' ? new win.ResizeObserver(schedule) : null;
  /** Observes the sizes of the current tiles' elements only (stops observing departed ones). */
  const watchSizes = (elements: Element[]): void => {
    if (!resizes) return;
    const next = new Set(elements);
    for (const el of observed) if (!next.has(el)) resizes.unobserve(el);
    for (const el of next) if (!observed.has(el)) resizes.observe(el);
    observed = next;
  };

  if (signal.aborted) return { current: () => latest };
  const mutations = new win.MutationObserver(schedule);
  mutations.observe(doc.documentElement, {
    childList: true,
    subtree: true,
    characterData: true,
    attributes: true,
    attributeFilter: WATCHED_ATTRIBUTES,
  });
  const listenerOptions = { capture: true, passive: true } as const;
  win.addEventListener('resize', schedule, listenerOptions);
  win.addEventListener('scroll', schedule, listenerOptions);
  const poll = timers.setInterval(schedule, POLL_MS);

  signal.addEventListener(
    'abort',
    () => {
      mutations.disconnect();
      resizes?.disconnect();
      observed.clear();
      win.removeEventListener('resize', schedule, listenerOptions);
      win.removeEventListener('scroll', schedule, listenerOptions);
      timers.clearInterval(poll);
      if (timer !== undefined) timers.clearTimeout(timer);
      timer = undefined;
    },
    { once: true },
  );
  compute();
  return { current: () => latest };
}
