/**
 * The frame budget of a large call (engine/schedule.ts) on its own, and in the frame loop
 * with a scripted analyzer whose cost runs on the pipeline's clock: every tile gets its turn,
 * the seconds a tile waits out are `overloaded`, paused seconds are `paused`, and a tile under
 * the minimum size says so.
 */
import assert from 'node:assert/strict';
import { unmeasuredQuality } from '../../src/inference/face-quality.ts';
import { test } from 'node:test';
import { FIRST_FRAME_TILES, scheduleTiles, updateCost } from '../../src/engine/schedule.ts';
import { TilePipeline, type FrameSource } from '../../src/engine/pipeline.ts';
import { makeConfig } from '../../src/inference/config.ts';
import type { TileAnalysis, TileAnalyzer, TileImage } from '../../src/inference/types.ts';
import type { LiveUpdate } from '../../src/shared/messages.ts';
import type { SecondRecord } from '../../src/shared/timeline-store.ts';
import type { TileReport } from '../../src/shared/types.ts';
import { toProbabilities } from '../../src/shared/emotions.ts';

/** Face fields beyond the box and probabilities: no landmarks, a readable quality. */
const READABLE = { signals: null, landmarks: null, quality: unmeasuredQuality(80) };

const tiles = (n: number) => Array.from({ length: n }, (_, k) => ({ id: `t${k}` }));

test('all tiles while they fit in the budget; else as many as fit, longest waiting first, in tile order', () => {
  assert.equal(scheduleTiles(tiles(3), new Map(), 500, null).length, 3, 'no estimate yet: a few tiles all');
  assert.deepEqual(scheduleTiles(tiles(49), new Map(), 500, null).map((t) => t.id), ['t0', 't1', 't2', 't3'], 'no estimate yet: the first few of a large call');
  assert.equal(FIRST_FRAME_TILES, 4);
  assert.equal(scheduleTiles(tiles(5), new Map(), 500, 100).length, 5, 'exactly fits');
  const last = new Map([['t0', 30], ['t1', 10], ['t2', 20], ['t3', 40]]);
  assert.deepEqual(scheduleTiles(tiles(5), last, 250, 100).map((t) => t.id), ['t1', 't4'], 't4 never analysed, then t1 waited longest');
  assert.deepEqual(scheduleTiles(tiles(3), last, 10, 100).map((t) => t.id), ['t1'], 'at least one tile per frame');
});

test('the cost per tile follows recent frames (moving average)', () => {
  assert.equal(updateCost(null, 300, 10), 30);
  assert.ok(Math.abs(updateCost(30, 600, 10)! - 39) < 1e-9);
  assert.equal(updateCost(30, 100, 0), 30, 'a frame without tiles says nothing');
});

const HAPPY = toProbabilities([0, 0, 0, 0.9, 0, 0, 0.1]);
const START = 1_700_000_000_000;

/** A pipeline over `n` tiles whose analyzer takes `msPerTile` of the pipeline's clock per tile and always finds a face. */
function bigCall(n: number, msPerTile: number, budgetMs: number) {
  let now = START;
  const analyzer = {
    tf: null as never,
    backend: 'scripted',
    async analyse(images: TileImage[]) {
      now += msPerTile * images.length;
      const out: TileAnalysis[] = images.map((c) => {
        const face = { box: { x: 1, y: 1, width: 40, height: 40 }, score: 0.9, meshScore: 1, probabilities: HAPPY, ...READABLE };
        return { key: c.key, status: 'analysed', tracked: false, stillMs: 0, smallFace: false, face, faces: [face] };
      });
      return { tiles: out, timing: { totalMs: msPerTile * images.length, readMs: 0, detectMs: 0, trackMs: 0, emotionMs: 0, signalsMs: 0 } };
    },
    dispose() {},
  } satisfies TileAnalyzer;
  const live: LiveUpdate[] = [];
  const records: SecondRecord[] = [];
  const pipeline = new TilePipeline(analyzer, makeConfig({ live: { frameBudgetMs: budgetMs, minFaceFrames: 1 } }), { overlays: false, paused: false, onlyMe: false, baseline: false }, { tabId: 1, meetingId: 'm', startedAt: START, backendReason: 'test' }, {
    onLive: (u) => live.push(u),
    onRecords: (r) => records.push(...r),
    onError: (e) => assert.fail(e),
  }, () => now);
  const report = (k: number, extra: Partial<TileReport> = {}): TileReport => ({ id: `t${k}`, name: `P${k}`, rect: { x: (k % 7) * 100, y: Math.floor(k / 7) * 100, width: 100, height: 100 }, visible: true, isSelf: false, ...extra });
  const setTiles = (list: TileReport[]) => pipeline.setTiles({ adapter: 'meet', site: 'x', viewport: { width: 700, height: 700 }, devicePixelRatio: 1, takenAt: START, tiles: list });
  setTiles(Array.from({ length: n }, (_, k) => report(k)));
  const source: FrameSource = {
    async read(list) {
      return list.map((t) => ({ id: t.id, image: null as never, width: 100, height: 100, cssRect: t.rect }));
    },
  };
  return { pipeline, live, records, source, setTiles, report, tick: (ms: number) => (now += ms), now: () => now };
}

test('49 tiles at 30 ms each with a 500 ms budget: short frames, every tile in turn, waits recorded as overloaded, no false "no face"', async () => {
  const call = bigCall(49, 30, 500);
  while (call.now() - START < 10_000) {
    await call.pipeline.step(call.source);
    call.tick(10);
  }
  const frames = call.live.length;
  assert.ok(frames >= 18, `short frames: ${frames} frames in 10 s (all 49 tiles would take 1.5 s a frame)`);
  const lastView = call.live.at(-1)!.participants;
  assert.equal(lastView.filter((p) => !p.faceVisible).length, 0, 'no row reads "no face"');
  assert.ok(lastView.every((p) => p.updateHz > 0.4 && p.updateHz < 1), `update rates ${lastView.map((p) => p.updateHz.toFixed(2)).join(' ')}`);
  const records = [...call.records, ...call.pipeline.stop()];
  const byGap = new Map<string, number>();
  for (const r of records) byGap.set(String(r.gap), (byGap.get(String(r.gap)) ?? 0) + 1);
  assert.ok((byGap.get('null') ?? 0) > 0 && (byGap.get('overloaded') ?? 0) > 0, `seconds by gap: ${JSON.stringify([...byGap])}`);
  assert.deepEqual([...byGap.keys()].sort(), ['null', 'overloaded'], 'a second is either read or overloaded');
  for (let k = 0; k < 49; k++) {
    const seconds = new Set(records.filter((r) => r.participantId === `t${k}`).map((r) => r.second));
    assert.equal(seconds.size, 10, `tile t${k} has a record for each of the 10 seconds`);
  }
});

test('paused seconds are recorded as paused; a tile under the minimum size as tile-too-small', async () => {
  const call = bigCall(2, 10, 500);
  call.setTiles([call.report(0), call.report(1, { visible: false, hidden: 'too-small', rect: { x: 0, y: 0, width: 30, height: 30 } })]);
  while (call.now() - START < 1000) {
    await call.pipeline.step(call.source);
    call.tick(80);
  }
  assert.deepEqual(call.live.at(-1)!.participants.map((p) => [p.id, p.analysed, p.gap]), [['t0', true, null], ['t1', false, 'tile-too-small']]);
  call.pipeline.setOptions({ overlays: false, paused: true, onlyMe: false, baseline: false });
  for (let t = 0; t < 2000; t += 100) {
    await call.pipeline.step(call.source);
    call.tick(100);
  }
  assert.deepEqual(call.live.at(-1)!.participants.map((p) => p.gap), ['paused', 'paused']);
  const records = [...call.records, ...call.pipeline.stop()];
  const t0 = records.filter((r) => r.participantId === 't0').map((r) => r.gap);
  const t1 = records.filter((r) => r.participantId === 't1').map((r) => r.gap);
  assert.deepEqual(t0.slice(0, 1), [null]);
  assert.ok(t0.slice(1).every((g) => g === 'paused') && t0.length >= 3, `t0: ${t0.join(',')}`);
  assert.equal(t1[0], 'tile-too-small');
  assert.ok(t1.slice(1).every((g) => g === 'paused'), `t1: ${t1.join(',')}`);
});

test('a frame that takes several seconds leaves no second without a record: the waiting tiles\' are overloaded', async () => {
  const call = bigCall(6, 1000, 5000); // 5 s frames (the first: 4 tiles), then 6 s
  for (let k = 0; k < 3; k++) await call.pipeline.step(call.source);
  const records = [...call.records, ...call.pipeline.stop()];
  const t0 = records.filter((r) => r.participantId === 't0');
  const seconds = t0.map((r) => r.second);
  assert.deepEqual(seconds, Array.from({ length: seconds.at(-1)! + 1 }, (_, k) => k), `every second of t0: ${seconds.join(',')}`);
  assert.ok(t0.some((r) => r.gap === 'overloaded') && t0.some((r) => r.gap === null));
});
