/**
 * Proves the view pusher's rate: a port that opens gets the view at once, a burst of changes
 * then costs one more view no sooner than the interval after the last, the view sent is the
 * current one, and nothing is built while no port is open (mock timers and clock).
 */
import { mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { MIN_VIEW_INTERVAL_MS, ViewPusher } from '../../src/background/view-pusher.ts';
import type { AnalysisView } from '../../src/shared/types.ts';
import type { ViewPortMessage } from '../../src/shared/view-port.ts';

/** Lets pending promise callbacks run. */
const flush = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

test('pushes at most one view per interval, always the current one; none while no port is open', async () => {
  mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_000_000 });
  try {
    let version = 0;
    let built = 0;
    const pusher = new ViewPusher(async () => {
      built++;
      return { state: 'running', message: `v${version}` } as unknown as AnalysisView;
    });
    pusher.changed();
    assert.equal(built, 0, 'nothing is built while no port is open');

    const sent: string[] = [];
    pusher.add({ postMessage: (m: ViewPortMessage) => void sent.push((m.payload).message ?? '') });
    await flush();
    assert.deepEqual(sent, ['v0'], 'a port that opens gets the view at once');

    for (version = 1; version <= 20; version++) pusher.changed();
    version = 20;
    await flush();
    assert.deepEqual(sent, ['v0'], 'a burst right after a push waits for the interval');
    mock.timers.tick(MIN_VIEW_INTERVAL_MS - 1);
    await flush();
    assert.equal(sent.length, 1);
    mock.timers.tick(1);
    await flush();
    assert.deepEqual(sent, ['v0', 'v20'], 'one more view, the current one');
    assert.equal(built, 2);
    await pusher.settled();
  } finally {
    mock.timers.reset();
  }
});
