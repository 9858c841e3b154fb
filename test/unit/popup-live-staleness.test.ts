/**
 * Proves the popup never shows stale figures as live: figures 2.4 s old are live and 2.6 s old
 * are stale (only while an analysis runs and has figures), the notice and the stats line give
 * the age in whole seconds, and the popup's clock re-evaluates staleness on its own timer,
 * without a new view, and stops that timer on unmount.
 */
import assert from 'node:assert/strict';
import { afterEach, mock, test } from 'node:test';
import { Window } from 'happy-dom';
import { h, render } from 'preact';
import { act } from 'preact/test-utils';
import { CLOCK_TICK_MS, STALE_AFTER_MS, isStale, liveAge, staleText, useNow, watchClock } from '../../src/popup/live-staleness.ts';
import { DEFAULT_OPTIONS } from '../../src/shared/types.ts';
import type { AnalysisView } from '../../src/shared/types.ts';

// webextension-polyfill (imported by app.tsx) refuses to load outside an extension; give it the one field it checks.
(globalThis as { chrome?: unknown }).chrome ??= { runtime: { id: 'unit-test' } };
const { statsText } = await import('../../src/popup/app.tsx');

const T0 = 1_700_000_000_000;

/** A running view whose live figures were produced at `liveAt`. */
function view(patch: Partial<AnalysisView> = {}): AnalysisView {
  return {
    state: 'running',
    tabId: 7,
    meetingId: 'm-1',
    options: DEFAULT_OPTIONS,
    adapter: 'meet',
    site: 'meet.google.com',
    stats: { backend: 'webgl', backendReason: '', fps: 10, inferenceMs: 20, latencyMs: 40 },
    participants: [],
    message: null,
    liveAt: T0,
    notRecording: null,
    lastMeetingId: 'm-1',
    resumable: false,
    ...patch,
  };
}

afterEach(() => mock.timers.reset());

test('figures 2.4 s old are live, 2.6 s old are stale', () => {
  assert.equal(STALE_AFTER_MS, 2500);
  assert.equal(liveAge(view(), T0 + 2400), 2400);
  assert.equal(isStale(view(), T0 + 2400), false);
  assert.equal(isStale(view(), T0 + 2500), false, 'exactly the limit is still live');
  assert.equal(isStale(view(), T0 + 2600), true);
});

test('only a running analysis with figures can be stale', () => {
  for (const state of ['idle', 'starting', 'error'] as const) {
    assert.equal(liveAge(view({ state }), T0 + 60_000), null, state);
    assert.equal(isStale(view({ state }), T0 + 60_000), false, state);
  }
  assert.equal(liveAge(view({ liveAt: null }), T0 + 60_000), null, 'no figures yet');
  assert.equal(isStale(view({ liveAt: null }), T0 + 60_000), false);
  assert.equal(isStale(null, T0), false, 'no view yet');
});

test('the notice and the stats line give the age in whole seconds', () => {
  assert.equal(staleText(2600), 'Live view not updating: last figures 2 s old.');
  assert.equal(staleText(12_999), 'Live view not updating: last figures 12 s old.');
  assert.equal(statsText(view().stats, 4100), 'not updating: last figures 4 s old');
  assert.equal(statsText(view().stats, null), 'backend webgl · 10.0 fps · 20 ms/frame · latency 40 ms');
  assert.equal(statsText(null), 'no figures yet');
});

test('the clock ticks every 500 ms with the time, and stops when asked', () => {
  mock.timers.enable({ apis: ['setInterval', 'Date'], now: T0 });
  const seen: number[] = [];
  const stop = watchClock((now) => seen.push(now));
  for (let i = 0; i < 3; i++) mock.timers.tick(CLOCK_TICK_MS);
  assert.deepEqual(seen, [T0 + 500, T0 + 1000, T0 + 1500]);
  stop();
  mock.timers.tick(CLOCK_TICK_MS * 4);
  assert.equal(seen.length, 3);
});

test('useNow turns the figures stale between 2.4 s and 2.6 s without a new view, and stops its timer on unmount', () => {
  mock.timers.enable({ apis: ['setInterval', 'Date'], now: T0 });
  const cleared = mock.method(globalThis, 'clearInterval');
  const win = new Window();
  const root = win.document.createElement('div') as unknown as Element;
  // The clock ticks at T0 + 500, + 1000, ...: at + 2000 the figures are 2.1 s old, at + 2500 2.6 s.
  const running = view({ liveAt: T0 - 100 });
  function Probe() {
    const now = useNow(true);
    return h('p', { 'data-stale': String(isStale(running, now)) });
  }
  const stale = () => root.querySelector('p')?.getAttribute('data-stale');
  void act(() => render(h(Probe, null), root));
  assert.equal(stale(), 'false');
  for (let t = 0; t < 2400; t += CLOCK_TICK_MS) void act(() => mock.timers.tick(Math.min(CLOCK_TICK_MS, 2400 - t)));
  assert.equal(stale(), 'false', '2.1 s old at the last tick');
  void act(() => mock.timers.tick(100));
  assert.equal(stale(), 'true', '2.6 s old at the next tick: re-evaluated by the timer alone');
  assert.equal(cleared.mock.callCount(), 0);
  void act(() => render(null, root));
  assert.equal(cleared.mock.callCount(), 1, 'the timer is cleared on unmount');
  void win.happyDOM.close();
});
