/**
 * The play-through stepping of a file (analyse/play-steps.ts) without a browser: which frame
 * is a sample and which sample comes next, the playback rate that reaches the next sample
 * just after an analysis, the spacing report, and the wait for a sample frame with a fake
 * video and mock timers (a sample frame is held and ends the wait; the video's end, a stall,
 * a failed play() and the abort signal end it too, and nothing is left registered).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ARRIVE_AFTER, frameSpacing, isSampleFrame, nextSampleIndex, PLAY_RATE, playbackRateFor, SAMPLE_EPSILON_S, waitForSample } from '../../src/analyse/play-steps.ts';

test('a frame at or past k/fps is sample k (a frame 1/30 s rounded down still counts); the next sample is the first after it', () => {
  assert.equal(isSampleFrame(0.1, 1, 10), true);
  assert.equal(isSampleFrame(0.0999, 1, 10), true, 'within SAMPLE_EPSILON_S');
  assert.equal(isSampleFrame(0.1 - 2 * SAMPLE_EPSILON_S, 1, 10), false);
  assert.equal(isSampleFrame(0.125, 1, 10), true);
  assert.equal(nextSampleIndex(0, 10), 1);
  assert.equal(nextSampleIndex(0.125, 10), 2, 'late for sample 1 only');
  assert.equal(nextSampleIndex(0.0999, 10), 2, 'a frame counted as sample 1 is followed by sample 2');
  assert.equal(nextSampleIndex(0.375, 10), 4, 'samples 2 and 3 skipped');
  // A 24 fps video sampled at 10 per second: the first frame at or past each 0.1 s.
  const frames = Array.from({ length: 49 }, (_, j) => j / 24);
  const taken: number[] = [];
  let k = 0;
  for (const m of frames) {
    if (!isSampleFrame(m, k, 10)) continue;
    taken.push(m);
    k = nextSampleIndex(m, 10);
  }
  assert.equal(taken.length, 21, 'one frame per 0.1 s over 2 s');
  assert.ok(taken.every((m, i) => m - i / 10 >= -SAMPLE_EPSILON_S && m - i / 10 < 1 / 24), 'each at most one frame late');
});

test('the rate reaches the next sample ARRIVE_AFTER times the analysis later, within PLAY_RATE', () => {
  assert.equal(playbackRateFor(0.1, null), PLAY_RATE.initial, 'before an analysis is timed');
  assert.equal(playbackRateFor(0.1, 0), PLAY_RATE.initial);
  assert.ok(Math.abs(playbackRateFor(0.1, 50) - 0.1 / (ARRIVE_AFTER * 0.05)) < 1e-9, '50 ms analyses: ~1.7x');
  assert.equal(playbackRateFor(0.1, 5), PLAY_RATE.max, 'fast analyses: capped');
  assert.equal(playbackRateFor(0.1, 2000), PLAY_RATE.min, 'slow analyses: floored');
  assert.ok(playbackRateFor(0.05, 50) < playbackRateFor(0.1, 50), 'a late frame leaves less to go: slower');
});

test('spacing: median, range and skipped samples of the analysed frames', () => {
  assert.deepEqual(frameSpacing([], 0.1), { frames: 0, medianS: 0, minS: 0, maxS: 0, skipped: 0 });
  const s = frameSpacing([0, 0.1, 0.2, 0.4, 0.5], 0.1);
  assert.equal(s.frames, 5);
  assert.ok(Math.abs(s.medianS - 0.1) < 1e-9 && Math.abs(s.minS - 0.1) < 1e-9 && Math.abs(s.maxS - 0.2) < 1e-9);
  assert.equal(s.skipped, 1);
});

/** A fake video: frames are presented by `present(mediaTime)`; play() resolves or rejects as told. */
function fakeVideo(opts: { playFails?: boolean } = {}) {
  const events = new EventTarget();
  const callbacks = new Map<number, VideoFrameRequestCallback>();
  let id = 0;
  const video = {
    paused: true,
    ended: false,
    plays: 0,
    play() {
      video.plays++;
      if (opts.playFails) return Promise.reject(new Error('NotAllowedError'));
      video.paused = false;
      return Promise.resolve();
    },
    pause() {
      video.paused = true;
    },
    requestVideoFrameCallback(cb: VideoFrameRequestCallback) {
      callbacks.set(++id, cb);
      return id;
    },
    cancelVideoFrameCallback(h: number) {
      callbacks.delete(h);
    },
    addEventListener: events.addEventListener.bind(events),
    removeEventListener: events.removeEventListener.bind(events),
    present(mediaTime: number) {
      const due = [...callbacks.values()];
      callbacks.clear();
      for (const cb of due) cb(0, { mediaTime, width: 640, height: 360, expectedDisplayTime: 0, presentationTime: 0, presentedFrames: 0 });
    },
    end() {
      video.ended = true;
      events.dispatchEvent(new Event('ended'));
    },
    get pending() {
      return callbacks.size;
    },
  };
  return video;
}

test('the wait plays a paused video, skips frames before the sample, holds the sample frame and ends there', async () => {
  const video = fakeVideo();
  const seen: number[] = [];
  const held: number[] = [];
  const wait = waitForSample(video, (m) => isSampleFrame(m, 3, 10), (md) => (held.push(md.mediaTime), video.pause()), { onFrame: (m) => seen.push(m) });
  assert.equal(video.plays, 1);
  video.present(0.25);
  video.present(0.292);
  video.present(0.333);
  video.present(0.375);
  assert.deepEqual(await wait, { kind: 'sample', mediaTime: 0.333, width: 640, height: 360 });
  assert.deepEqual(held, [0.333], 'onSample ran for the sample frame only');
  assert.deepEqual(seen, [0.25, 0.292, 0.333]);
  assert.equal(video.paused, true);
  assert.equal(video.pending, 0, 'no callback left registered');
});

test('the wait ends on the video end, a stall (mock timers), a failed play() and the abort signal', async (t) => {
  const ended = fakeVideo();
  const w1 = waitForSample(ended, () => false, () => {});
  ended.end();
  assert.deepEqual(await w1, { kind: 'ended' });
  assert.equal(ended.pending, 0);
  assert.deepEqual(await waitForSample(ended, () => true, () => {}), { kind: 'ended' }, 'an ended video is not played again');

  t.mock.timers.enable({ apis: ['setTimeout'] });
  const stalled = fakeVideo();
  const w2 = waitForSample(stalled, (m) => m >= 1, () => {}, { stallMs: 1000 });
  t.mock.timers.tick(900);
  stalled.present(0.5); // a frame re-arms the stall timer
  t.mock.timers.tick(900);
  let settled = false;
  void w2.then(() => (settled = true));
  await Promise.resolve();
  assert.equal(settled, false, 'a frame 900 ms ago: not stalled yet');
  t.mock.timers.tick(200);
  assert.deepEqual(await w2, { kind: 'stalled', reason: 'no frame for 1000 ms' });
  assert.equal(stalled.pending, 0);
  t.mock.timers.reset();

  const refused = fakeVideo({ playFails: true });
  const w3 = await waitForSample(refused, () => true, () => {});
  assert.equal(w3.kind, 'stalled');
  assert.match(w3.kind === 'stalled' ? w3.reason : '', /play\(\) failed: NotAllowedError/);

  const controller = new AbortController();
  const aborted = fakeVideo();
  const w4 = waitForSample(aborted, () => true, () => assert.fail('no frame after the abort'), { signal: controller.signal });
  controller.abort();
  aborted.present(0.1);
  assert.deepEqual(await w4, { kind: 'aborted' });
  assert.deepEqual(await waitForSample(aborted, () => true, () => {}, { signal: controller.signal }), { kind: 'aborted' }, 'already aborted');

  const throwing = fakeVideo();
  const w5 = waitForSample(throwing, () => true, () => {
    throw new Error('draw failed');
  });
  throwing.present(0.1);
  assert.deepEqual(await w5, { kind: 'stalled', reason: 'draw failed' });
});
