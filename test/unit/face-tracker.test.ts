/**
 * The face tracker's schedule (inference/face-tracker.ts planFrame), pure: a tracked tile is
 * re-fitted by the mesh until both `redetectMs` and REDETECT_MIN_ANALYSES analyses have passed
 * since its detection, then detected afresh, at most MAX_REDETECTS_PER_FRAME a frame; a tile
 * without a face waits; a new tile is detected.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_REDETECTS_PER_FRAME, planFrame, REDETECT_MIN_ANALYSES, type TileState } from '../../src/inference/face-tracker.ts';
import { DEFAULT_CONFIG } from '../../src/inference/config.ts';

const tracking = DEFAULT_CONFIG.tracking;
const track = { box: { x: 0, y: 0, width: 50, height: 50 }, imageSize: { width: 200, height: 200 }, score: 0.9, meshScore: 1, sideToExtent: 1.4 };

test('a tile analysed only now and then is re-fitted until it has had REDETECT_MIN_ANALYSES analyses, then detected', () => {
  const states = new Map<string, TileState>([['a', { tracks: [track], lastDetectAt: 0, framesSinceDetect: 0 }]]);
  const tiles = [{ index: 0, key: 'a' }];
  const plans: string[] = [];
  // One analysis every 10 s: long past redetectMs each time.
  for (let k = 1; k <= REDETECT_MIN_ANALYSES; k++) {
    const plan = planFrame(states, tiles, k * 10_000, tracking);
    plans.push(plan.detect.has(0) ? 'detect' : plan.track.length ? 'track' : 'none');
  }
  assert.deepEqual(plans, [...Array<string>(REDETECT_MIN_ANALYSES - 1).fill('track'), 'detect']);
});

test('a tile analysed often is detected again after redetectMs; at most one periodic re-detection a frame, the longest waiting first', () => {
  const states = new Map<string, TileState>([
    ['a', { tracks: [track], lastDetectAt: 100, framesSinceDetect: 20 }],
    ['b', { tracks: [track], lastDetectAt: 0, framesSinceDetect: 20 }],
    ['c', { tracks: [], lastDetectAt: 2_400, framesSinceDetect: 0 }],
  ]);
  const tiles = [{ index: 0, key: 'a' }, { index: 1, key: 'b' }, { index: 2, key: 'c' }, { index: 3, key: 'new' }];
  const early = planFrame(states, tiles, 1_000, tracking);
  assert.deepEqual([...early.detect], [3], 'only the new tile: the others are not due yet');
  const late = planFrame(states, tiles, tracking.redetectMs + 500, tracking);
  assert.equal(MAX_REDETECTS_PER_FRAME, 1);
  assert.deepEqual([...late.detect].sort(), [3], 'a new tile takes the frame\'s re-detection slot');
  const noNew = planFrame(states, tiles.slice(0, 3), tracking.redetectMs + 600, tracking);
  assert.deepEqual([...noNew.detect], [1], 'b waited longest');
  assert.deepEqual(noNew.track.map((t) => t.index), [0]);
  assert.ok(noNew.deferred.has(2), 'the faceless tile waits for its retry');
});
