/**
 * Proves the tile tracker reports the Meet fixture's tiles with rects and visibility, keeps the
 * snapshot current when tiles are added, renamed, moved or removed, reports nothing when
 * nothing changed (apart from the 2 s heartbeat), falls back to generic, and goes silent after
 * abort. happy-dom has no layout, so element boxes are stubbed with `setRect`. Time is
 * node:test's mock clock: the tracker gets the mocked global timers, `Date.now()` is mocked
 * too, and each test moves time on by exactly the milliseconds it is about.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { Window } from 'happy-dom';
import { playingVideos } from '../fixtures/happy-video.ts';
import { HEARTBEAT_MS, MIN_GAP_MS, POLL_MS, startTileTracker } from '../../src/content/tile-tracker.ts';
import type { TileTrackerOptions, TrackerTimers } from '../../src/content/tile-tracker.ts';
import type { TilesSnapshot } from '../../src/shared/types.ts';

const FIXTURE = readFileSync(new URL('../fixtures/meet-grid.html', import.meta.url), 'utf8');
/** The mocked epoch the tests start at (2023-11-14T22:13:20Z). */
const T0 = 1_700_000_000_000;
const cleanups: (() => Promise<void> | void)[] = [];

beforeEach(() => {
  mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'], now: T0 });
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
  mock.timers.reset();
});

/**
 * The global timers, looked up at call time so the tracker schedules on node:test's mock
 * while it is enabled (happy-dom's window timers keep Node's real ones).
 */
function globalTimers(): TrackerTimers {
  return {
    setTimeout: (callback, ms) => setTimeout(callback, ms),
    clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
    setInterval: (callback, ms) => setInterval(callback, ms),
    clearInterval: (handle) => clearInterval(handle as NodeJS.Timeout),
    now: () => Date.now(),
  };
}

/** Lets happy-dom deliver pending mutation records (it queues them as microtasks). */
const flushMutations = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Moves the mock clock on by `ms`, one millisecond at a time: a timer set while another runs
 * then fires at its own time, and `Date.now()` inside each callback reads the time it fires at.
 */
function advance(ms: number): void {
  for (let i = 0; i < ms; i++) mock.timers.tick(1);
}

/** Stubs `el`'s bounding box (happy-dom computes no layout). */
function setRect(el: Element, x: number, y: number, width: number, height: number): void {
  const rect = { x, y, left: x, top: y, width, height, right: x + width, bottom: y + height };
  Object.defineProperty(el, 'getBoundingClientRect', { configurable: true, value: () => ({ ...rect, toJSON: () => rect }) });
}

/** A tracker over a happy-dom page, scheduling with `timers`; `snapshots` holds what it reported. */
function track(url: string, html: string, layout: (doc: Document) => void, before?: (win: Window) => void, timers: TrackerTimers = globalTimers()) {
  const win = new Window({ url, width: 1280, height: 800 });
  playingVideos(win);
  win.document.write(html);
  before?.(win);
  const doc = win.document as unknown as Document;
  layout(doc);
  const snapshots: TilesSnapshot[] = [];
  const controller = new AbortController();
  const errors: unknown[] = [];
  const tracker = startTileTracker({
    signal: controller.signal,
    doc,
    win: win as unknown as TileTrackerOptions['win'],
    timers,
    onSnapshot: (s) => void snapshots.push(s),
    onError: (e) => errors.push(e),
  });
  cleanups.push(async () => {
    controller.abort();
    assert.deepEqual(errors, [], 'the tracker reported no errors');
    await win.happyDOM.close();
  });
  /**
   * What the tracker reports after a DOM change: delivers the mutation records, then moves
   * the clock on by `ms` (default: the coalescing gap, well short of the 1 s safety poll).
   */
  const settle = async (ms = MIN_GAP_MS): Promise<TilesSnapshot[]> => {
    await flushMutations();
    advance(ms);
    return snapshots;
  };
  const el = <T extends Element = HTMLElement>(id: string) => doc.getElementById(id) as unknown as T;
  return { win, doc, el, tracker, snapshots, settle, controller };
}

/** The Meet fixture with its videos in a grid of 320x180 tiles; v5 is partly off-screen. */
function meetLayout(doc: Document): void {
  const at = (id: string, x: number, y: number, w = 320, h = 180) => setRect(doc.getElementById(id)!, x, y, w, h);
  at('v1', 0, 0);
  at('v2', 330, 0);
  at('v3', 660, 0);
  at('v4a', 0, 0, 0, 0);
  at('v4b', 0.2, 190.2);
  at('v5', 1250, 190); // only 30 px inside the 1280 px viewport
}

const meet = (before?: (win: Window) => void, timers?: TrackerTimers) => track('https://meet.google.com/abc-defg-hij', FIXTURE, meetLayout, before, timers);

/** What the tracker holds on to: connected observers, window listeners and timers (by handle). */
interface Held {
  observers: Set<object>;
  listeners: Set<string>;
  intervals: Set<unknown>;
  timeouts: Set<unknown>;
}

/** Wraps `win`'s observers and listeners so a test can see which are still held. */
function spyOnWindow(win: Window, held: Held): void {
  const w = win as any;
  for (const name of ['MutationObserver', 'ResizeObserver']) {
    const Base = w[name];
    w[name] = class extends Base {
      observe(...args: unknown[]) {
        held.observers.add(this);
        return super.observe(...args);
      }
      disconnect() {
        held.observers.delete(this);
        return super.disconnect();
      }
    };
  }
  const add = w.addEventListener.bind(w);
  const remove = w.removeEventListener.bind(w);
  w.addEventListener = (type: string, fn: unknown, o: unknown) => (held.listeners.add(type), add(type, fn, o));
  w.removeEventListener = (type: string, fn: unknown, o: unknown) => (held.listeners.delete(type), remove(type, fn, o));
}

/** `timers` recording in `held` which intervals and timeouts are pending. */
function spyOnTimers(timers: TrackerTimers, held: Held): TrackerTimers {
  return {
    setInterval: (callback, ms) => {
      const handle = timers.setInterval(callback, ms);
      held.intervals.add(handle);
      return handle;
    },
    clearInterval: (handle) => (held.intervals.delete(handle), timers.clearInterval(handle)),
    setTimeout: (callback, ms) => {
      const handle: unknown = timers.setTimeout(() => (held.timeouts.delete(handle), callback()), ms);
      held.timeouts.add(handle);
      return handle;
    },
    clearTimeout: (handle) => (held.timeouts.delete(handle), timers.clearTimeout(handle)),
    now: () => timers.now(),
  };
}

describe('startTileTracker', () => {
  it('reports the first snapshot at once with ids, names, rects, visibility and page facts', () => {
    const { snapshots } = meet();
    assert.equal(snapshots.length, 1);
    const s = snapshots[0]!;
    assert.equal(s.adapter, 'meet');
    assert.equal(s.site, 'meet.google.com');
    assert.deepEqual(s.viewport, { width: 1280, height: 800 });
    assert.equal(s.devicePixelRatio, 1);
    assert.equal(s.takenAt, T0, 'stamped with Date.now()');
    assert.deepEqual(
      s.tiles.map((t) => [t.id, t.name, t.isSelf, t.visible]),
      [
        ['spaces/abc/devices/1', 'Ada Lovelace', false, true],
        ['spaces/abc/devices/2', 'Grace Hopper', false, true],
        ['spaces/abc/devices/3', 'Me Myself', true, true],
        ['spaces/abc/devices/4', 'Alan Turing', false, true],
        ['spaces/abc/devices/5', 'Participant 5', false, false],
      ],
    );
    assert.deepEqual(s.tiles[1]!.rect, { x: 330, y: 0, width: 320, height: 180 });
    assert.deepEqual(s.tiles[3]!.rect, { x: 0.2, y: 190.2, width: 320, height: 180 });
  });

  it('includes a tile added to the grid', async () => {
    const { doc, el, settle } = meet();
    const tile = doc.createElement('div');
    tile.setAttribute('data-participant-id', 'spaces/abc/devices/7');
    tile.innerHTML = '<video id="v7"></video><span class="notranslate">Barbara Liskov</span>';
    setRect(tile.querySelector('video')!, 330, 190, 320, 180);
    el('grid').append(tile);
    const snapshots = await settle();
    assert.equal(snapshots.length, 2);
    const added = snapshots[1]!.tiles.find((t) => t.id === 'spaces/abc/devices/7');
    assert.deepEqual(added, { id: 'spaces/abc/devices/7', name: 'Barbara Liskov', nameFrom: 'site', isSelf: false, visible: true, rect: { x: 330, y: 190, width: 320, height: 180 } });
    assert.equal(snapshots[1]!.tiles.length, 6);
  });

  it('keeps the id and reports the new name when a participant is renamed', async () => {
    const { el, settle } = meet();
    el('tile-ada').querySelector('span.notranslate')!.firstChild!.textContent = 'Ada King';
    const s = (await settle()).at(-1)!;
    assert.equal(s.tiles[0]!.id, 'spaces/abc/devices/1');
    assert.equal(s.tiles[0]!.name, 'Ada King');
  });

  it('drops a tile that leaves', async () => {
    const { el, settle } = meet();
    el('tile-grace').remove();
    const s = (await settle()).at(-1)!;
    assert.deepEqual(s.tiles.map((t) => t.id), ['spaces/abc/devices/1', 'spaces/abc/devices/3', 'spaces/abc/devices/4', 'spaces/abc/devices/5']);
  });

  it('reports a tile whose video has no frame and is paused as camera-off within the 1 s poll, and visible again when its picture comes back', () => {
    const { el, snapshots } = meet();
    const v2 = el<HTMLVideoElement>('v2');
    Object.defineProperty(v2, 'videoWidth', { configurable: true, get: () => 0 });
    Object.defineProperty(v2, 'paused', { configurable: true, get: () => true });
    advance(POLL_MS + MIN_GAP_MS);
    const off = snapshots.at(-1)!.tiles[1]!;
    assert.deepEqual([off.id, off.visible, off.hidden], ['spaces/abc/devices/2', false, 'camera-off']);
    Object.defineProperty(v2, 'videoWidth', { configurable: true, get: () => 640 });
    advance(POLL_MS + MIN_GAP_MS);
    const on = snapshots.at(-1)!.tiles[1]!;
    assert.deepEqual([on.visible, on.hidden], [true, undefined]);
  });

  it('marks a tile hidden by visibility:hidden as not visible', async () => {
    const { el, settle } = meet();
    el('tile-me').style.visibility = 'hidden';
    const s = (await settle()).at(-1)!;
    assert.equal(s.tiles.find((t) => t.isSelf)!.visible, false);
  });

  it('coalesces a burst of changes into one recompute, at most every MIN_GAP_MS', async () => {
    const { el, win, snapshots, settle } = meet();
    setRect(el('v1'), 0, -10, 320, 180);
    win.dispatchEvent(new win.Event('scroll'));
    advance(MIN_GAP_MS - 1);
    assert.equal(snapshots.length, 1, 'not before MIN_GAP_MS since the last recompute (the first snapshot, at T0)');
    advance(1);
    assert.equal(snapshots.length, 2, 'recomputed MIN_GAP_MS after the first snapshot');
    for (const y of [-20, -30, -40]) {
      setRect(el('v1'), 0, y, 320, 180);
      win.dispatchEvent(new win.Event('scroll'));
    }
    advance(MIN_GAP_MS - 1);
    assert.equal(snapshots.length, 2, 'three scrolls wait for one recompute');
    const [latest] = (await settle(1)).slice(2);
    assert.equal(snapshots.length, 3);
    assert.deepEqual(latest!.tiles[0]!.rect, { x: 0, y: -40, width: 320, height: 180 }, 'the last position');
  });

  it('follows a move on scroll, and ignores moves under 0.5 px', () => {
    const { el, win, snapshots } = meet();
    setRect(el('v4b'), 0.1, 190.05, 320, 180); // rounds to the same half pixel
    win.dispatchEvent(new win.Event('scroll'));
    advance(MIN_GAP_MS);
    assert.equal(snapshots.length, 1, 'a sub-half-pixel move is not a change');

    setRect(el('v1'), 0, -100, 320, 180);
    win.dispatchEvent(new win.Event('scroll'));
    advance(MIN_GAP_MS);
    assert.equal(snapshots.length, 2, 'reported within MIN_GAP_MS, well before the 1 s poll');
    assert.deepEqual(snapshots[1]!.tiles[0]!.rect, { x: 0, y: -100, width: 320, height: 180 });
    assert.equal(snapshots[1]!.tiles[0]!.visible, true, '80 px of it remain in view');
  });

  it('notices a move no observer sees through the safety poll', () => {
    const { el, snapshots } = meet();
    setRect(el('v2'), 400, 300, 160, 90);
    advance(POLL_MS - 1);
    assert.equal(snapshots.length, 1, 'nothing told the tracker yet');
    advance(1 + MIN_GAP_MS);
    assert.equal(snapshots.length, 2, 'the poll at POLL_MS found it');
    assert.deepEqual(snapshots[1]!.tiles[1]!.rect, { x: 400, y: 300, width: 160, height: 90 });
  });

  it('sends an unchanged snapshot again only as the 2 s heartbeat', async () => {
    const { el, snapshots } = meet();
    el('grid').classList.add('speaking'); // a mutation that changes nothing we report
    await flushMutations();
    advance(HEARTBEAT_MS - 1);
    assert.equal(snapshots.length, 1, 'the mutation and the first poll recomputed but sent nothing');
    advance(POLL_MS);
    assert.equal(snapshots.length, 2, 'the first poll past HEARTBEAT_MS sends it again');
    assert.deepEqual(snapshots[1]!.tiles, snapshots[0]!.tiles);
    assert.ok(snapshots[1]!.takenAt - snapshots[0]!.takenAt >= HEARTBEAT_MS, `${snapshots[1]!.takenAt - snapshots[0]!.takenAt} ms apart`);
    advance(HEARTBEAT_MS);
    assert.equal(snapshots.length, 3, 'and again one heartbeat later');
  });

  it('falls back to generic tiles when Meet selectors match nothing, and says it fell back from Meet', () => {
    const { snapshots } = track('https://meet.google.com/abc-defg-hij', '<div class="x"><video id="v" title="Cam"></video></div>', (doc) =>
      setRect(doc.getElementById('v')!, 10, 10, 640, 360),
    );
    assert.equal(snapshots[0]!.adapter, 'generic');
    assert.equal(snapshots[0]!.fallbackFrom, 'meet');
    assert.deepEqual(snapshots[0]!.tiles.map((t) => [t.id, t.name]), [['tile-1', 'Cam']]);
  });

  it('reports no fallback on a page no site adapter recognises', () => {
    const { snapshots } = track('https://example.com/recording', '<video id="v"></video>', (doc) => setRect(doc.getElementById('v')!, 10, 10, 640, 360));
    assert.equal(snapshots[0]!.adapter, 'generic');
    assert.equal(snapshots[0]!.fallbackFrom, null);
  });

  it('stops calling back after abort and releases every observer, listener and timer', async () => {
    const held: Held = { observers: new Set(), listeners: new Set(), intervals: new Set(), timeouts: new Set() };
    const { el, doc, controller, snapshots, tracker } = meet((win) => spyOnWindow(win, held), spyOnTimers(globalTimers(), held));
    assert.ok(held.observers.size >= 1 && held.intervals.size === 1, 'it watches while running');
    assert.deepEqual([...held.listeners].sort(), ['resize', 'scroll']);
    el('grid').classList.add('speaking');
    await flushMutations();
    assert.equal(held.timeouts.size, 1, 'the mutation left a coalescing timeout pending');
    controller.abort();
    assert.deepEqual({ ...held }, { observers: new Set(), listeners: new Set(), intervals: new Set(), timeouts: new Set() });
    el('tile-ada').remove();
    doc.body.append(doc.createElement('div'));
    setRect(el('v2'), 10, 10, 100, 100);
    await flushMutations();
    advance(POLL_MS + HEARTBEAT_MS); // past the safety poll and the heartbeat
    assert.equal(snapshots.length, 1);
    assert.equal(tracker.current()!.tiles.length, 5, 'nothing was recomputed either');
  });
});
