/**
 * Proves the tile tracker reports the Meet fixture's tiles with rects and visibility, keeps the
 * snapshot current when tiles are added, renamed, moved or removed, reports nothing when
 * nothing changed (apart from the 2 s heartbeat), falls back to generic, and goes silent after
 * abort. happy-dom has no layout, so element boxes are stubbed with `setRect`.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { afterEach, describe, it } from 'node:test';
import { Window } from 'happy-dom';
import { HEARTBEAT_MS, startTileTracker } from '../../src/content/tile-tracker.ts';
import type { TileTrackerOptions } from '../../src/content/tile-tracker.ts';
import type { TilesSnapshot } from '../../src/shared/types.ts';

const FIXTURE = readFileSync(new URL('../fixtures/meet-grid.html', import.meta.url), 'utf8');
const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** Stubs `el`'s bounding box (happy-dom computes no layout). */
function setRect(el: Element, x: number, y: number, width: number, height: number): void {
  const rect = { x, y, left: x, top: y, width, height, right: x + width, bottom: y + height };
  Object.defineProperty(el, 'getBoundingClientRect', { configurable: true, value: () => ({ ...rect, toJSON: () => rect }) });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A tracker over a happy-dom page; `next()` resolves with the next reported snapshot. */
function track(url: string, html: string, layout: (doc: Document) => void, before?: (win: Window) => void) {
  const win = new Window({ url, width: 1280, height: 800 });
  win.document.write(html);
  before?.(win);
  const doc = win.document as unknown as Document;
  layout(doc);
  const snapshots: TilesSnapshot[] = [];
  let waiter: ((s: TilesSnapshot) => void) | null = null;
  const controller = new AbortController();
  const errors: unknown[] = [];
  const tracker = startTileTracker({
    signal: controller.signal,
    doc,
    win: win as unknown as TileTrackerOptions['win'],
    onSnapshot: (s) => {
      snapshots.push(s);
      waiter?.(s);
      waiter = null;
    },
    onError: (e) => errors.push(e),
  });
  cleanups.push(async () => {
    controller.abort();
    assert.deepEqual(errors, [], 'the tracker reported no errors');
    await win.happyDOM.close();
  });
  /** The next snapshot reported, or a rejection after `ms`. */
  const next = (ms = 1000) =>
    new Promise<TilesSnapshot>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no snapshot within ${ms} ms`)), ms);
      waiter = (s) => {
        clearTimeout(timer);
        resolve(s);
      };
    });
  const el = <T extends Element = HTMLElement>(id: string) => doc.getElementById(id) as unknown as T;
  return { win, doc, el, tracker, snapshots, next, controller };
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

const meet = (before?: (win: Window) => void) => track('https://meet.google.com/abc-defg-hij', FIXTURE, meetLayout, before);

/** What the tracker holds on to: connected observers, window listeners and timers (by id). */
interface Held {
  observers: Set<object>;
  listeners: Set<string>;
  intervals: Set<number>;
  timeouts: Set<number>;
}

/** Wraps `win`'s observers, listeners and timers so a test can see which are still held. */
function spyOnResources(win: Window, held: Held): void {
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
  const [setI, clearI, setT, clearT] = [w.setInterval, w.clearInterval, w.setTimeout, w.clearTimeout].map((f) => f.bind(w));
  w.setInterval = (fn: () => void, ms: number) => {
    const id = setI(fn, ms);
    held.intervals.add(id);
    return id;
  };
  w.clearInterval = (id: number) => (held.intervals.delete(id), clearI(id));
  w.setTimeout = (fn: () => void, ms: number) => {
    const id = setT(() => (held.timeouts.delete(id), fn()), ms);
    held.timeouts.add(id);
    return id;
  };
  w.clearTimeout = (id: number) => (held.timeouts.delete(id), clearT(id));
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
    assert.ok(Math.abs(s.takenAt - Date.now()) < 1000);
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
    const { doc, el, next } = meet();
    const tile = doc.createElement('div');
    tile.setAttribute('data-participant-id', 'spaces/abc/devices/7');
    tile.innerHTML = '<video id="v7"></video><span class="notranslate">Barbara Liskov</span>';
    setRect(tile.querySelector('video')!, 330, 190, 320, 180);
    el('grid').append(tile);
    const s = await next();
    const added = s.tiles.find((t) => t.id === 'spaces/abc/devices/7');
    assert.deepEqual(added, { id: 'spaces/abc/devices/7', name: 'Barbara Liskov', isSelf: false, visible: true, rect: { x: 330, y: 190, width: 320, height: 180 } });
    assert.equal(s.tiles.length, 6);
  });

  it('keeps the id and reports the new name when a participant is renamed', async () => {
    const { el, next } = meet();
    el('tile-ada').querySelector('span.notranslate')!.firstChild!.textContent = 'Ada King';
    const s = await next();
    assert.equal(s.tiles[0]!.id, 'spaces/abc/devices/1');
    assert.equal(s.tiles[0]!.name, 'Ada King');
  });

  it('drops a tile that leaves', async () => {
    const { el, next } = meet();
    el('tile-grace').remove();
    const s = await next();
    assert.deepEqual(s.tiles.map((t) => t.id), ['spaces/abc/devices/1', 'spaces/abc/devices/3', 'spaces/abc/devices/4', 'spaces/abc/devices/5']);
  });

  it('marks a tile hidden by visibility:hidden as not visible', async () => {
    const { el, next } = meet();
    el('tile-me').style.visibility = 'hidden';
    const s = await next();
    assert.equal(s.tiles.find((t) => t.isSelf)!.visible, false);
  });

  it('follows a move on scroll, and ignores moves under 0.5 px', async () => {
    const { el, next, win, snapshots } = meet();
    setRect(el('v4b'), 0.1, 190.05, 320, 180); // rounds to the same half pixel
    win.dispatchEvent(new win.Event('scroll'));
    await sleep(250);
    assert.equal(snapshots.length, 1, 'a sub-half-pixel move is not a change');

    setRect(el('v1'), 0, -100, 320, 180);
    win.dispatchEvent(new win.Event('scroll'));
    const s = await next(500); // well before the 1 s poll
    assert.deepEqual(s.tiles[0]!.rect, { x: 0, y: -100, width: 320, height: 180 });
    assert.equal(s.tiles[0]!.visible, true, '80 px of it remain in view');
  });

  it('notices a move no observer sees through the safety poll', async () => {
    const { el, next } = meet();
    setRect(el('v2'), 400, 300, 160, 90);
    const s = await next(1500);
    assert.deepEqual(s.tiles[1]!.rect, { x: 400, y: 300, width: 160, height: 90 });
  });

  it('sends an unchanged snapshot again only as the 2 s heartbeat', async () => {
    const { el, snapshots } = meet();
    el('grid').classList.add('speaking'); // a mutation that changes nothing we report
    await sleep(HEARTBEAT_MS - 300);
    assert.equal(snapshots.length, 1);
    await sleep(900);
    assert.equal(snapshots.length, 2);
    assert.deepEqual(snapshots[1]!.tiles, snapshots[0]!.tiles);
    assert.ok(snapshots[1]!.takenAt - snapshots[0]!.takenAt >= HEARTBEAT_MS);
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
    const { el, doc, controller, snapshots, tracker } = meet((win) => spyOnResources(win, held));
    assert.ok(held.observers.size >= 1 && held.intervals.size === 1, 'it watches while running');
    assert.deepEqual([...held.listeners].sort(), ['resize', 'scroll']);
    el('grid').classList.add('speaking'); // leaves a coalescing timeout pending
    await sleep(0);
    assert.equal(held.timeouts.size, 1);
    controller.abort();
    assert.deepEqual({ ...held }, { observers: new Set(), listeners: new Set(), intervals: new Set(), timeouts: new Set() });
    el('tile-ada').remove();
    doc.body.append(doc.createElement('div'));
    setRect(el('v2'), 10, 10, 100, 100);
    await sleep(1300); // past the safety poll
    assert.equal(snapshots.length, 1);
    assert.equal(tracker.current()!.tiles.length, 5, 'nothing was recomputed either');
  });
});
