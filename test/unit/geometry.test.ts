import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clipRect, cssRectToFrame, frameRectToCss, intersectRect, iou, mapRect, overlapOfSmaller, pixelBox, squareWindows, supersampleFactors } from '../../src/inference/geometry.ts';
import { DEFAULT_CONFIG, makeConfig, sanitizeOverrides } from '../../src/inference/config.ts';

test('a letterboxed capture: the viewport is scaled uniformly and centred between black bars', () => {
  // What Chromium's tab capture gave here with no size constraints: a 1280x720 viewport as an
  // 800x600 frame, the page at 800x450 between 75 px bars.
  const viewport = { width: 1280, height: 720 };
  assert.deepEqual(cssRectToFrame({ x: 0, y: 0, width: 1280, height: 720 }, viewport, 800, 600), { x: 0, y: 75, width: 800, height: 450 });
  assert.deepEqual(cssRectToFrame({ x: 640, y: 360, width: 640, height: 360 }, viewport, 800, 600), { x: 400, y: 300, width: 400, height: 225 });
  // Pillarbox: a 4:3 viewport in a 16:9 frame.
  assert.deepEqual(cssRectToFrame({ x: 0, y: 0, width: 800, height: 600 }, { width: 800, height: 600 }, 1280, 720), { x: 160, y: 0, width: 960, height: 720 });
  // frameRectToCss undoes it.
  const r = { x: 10, y: 20, width: 300, height: 200 };
  const back = frameRectToCss(cssRectToFrame(r, viewport, 800, 600), viewport, 800, 600);
  for (const k of ['x', 'y', 'width', 'height'] as const) assert.ok(Math.abs(back[k] - r[k]) < 1e-9, k);
});

test('tile rects in CSS px map to capture-frame pixels by frame size / viewport size', () => {
  // 1280x720 CSS viewport at devicePixelRatio 2 captured as a 2560x1440 frame.
  assert.deepEqual(cssRectToFrame({ x: 10, y: 20, width: 300, height: 200 }, { width: 1280, height: 720 }, 2560, 1440), { x: 20, y: 40, width: 600, height: 400 });
  // Capture scaled down to 640x360.
  assert.deepEqual(cssRectToFrame({ x: 640, y: 360, width: 640, height: 360 }, { width: 1280, height: 720 }, 640, 360), { x: 320, y: 180, width: 320, height: 180 });
});

test('clipRect clips to the frame and rejects empty rects', () => {
  assert.deepEqual(clipRect({ x: -10.5, y: 5.2, width: 100, height: 50 }, 80, 40), { x: 0, y: 5, width: 80, height: 35 });
  assert.equal(clipRect({ x: 100, y: 0, width: 10, height: 10 }, 80, 40), null);
});

test('pixelBox addresses the first and last pixel centres of the rect', () => {
  assert.deepEqual(pixelBox({ x: 0, y: 0, width: 101, height: 51 }, 101, 51), [0, 0, 1, 1]);
  assert.deepEqual(pixelBox({ x: 50, y: 25, width: 51, height: 26 }, 101, 51), [0.5, 0.5, 1, 1]);
});

test('makeConfig merges overrides stage by stage and ignores undefined', () => {
  const c = makeConfig({ live: { targetFps: 3 }, backend: undefined });
  assert.equal(c.live.targetFps, 3);
  assert.equal(c.live.faceTimeoutMs, DEFAULT_CONFIG.live.faceTimeoutMs, 'the other knobs of the stage keep their defaults');
  assert.deepEqual(c.backend, DEFAULT_CONFIG.backend);
  assert.equal(DEFAULT_CONFIG.live.targetFps, 10, 'defaults are not mutated');
});

test('makeConfig names every knob out of its range', () => {
  assert.throws(() => makeConfig({ live: { targetFps: 0.05 }, mesh: { minScore: 2 } }), /mesh\.minScore.*live\.targetFps/);
});

test('sanitizeOverrides keeps valid knobs and names the dropped ones by stage', () => {
  const { overrides, dropped } = sanitizeOverrides({ live: { targetFps: 0.05, minFaceFrames: 3 }, emotion: { temperature: 'hot' }, tracking: 5, trackFaces: false, analyzer: 'callmood' });
  assert.deepEqual(overrides, { live: { minFaceFrames: 3 }, analyzer: 'callmood' });
  assert.deepEqual(dropped, ['live.targetFps', 'emotion.temperature', 'tracking', 'trackFaces']);
  assert.deepEqual(sanitizeOverrides('nonsense'), { overrides: {}, dropped: ['(not an object)'] });
  assert.deepEqual(sanitizeOverrides(undefined), { overrides: {}, dropped: [] });
});

test('a face box follows its tile when the tile moves and resizes', () => {
  const from = { x: 100, y: 50, width: 400, height: 200 };
  const box = { x: 200, y: 75, width: 100, height: 100 };
  assert.deepEqual(mapRect(box, from, { x: 0, y: 0, width: 400, height: 200 }), { x: 100, y: 25, width: 100, height: 100 }, 'moved');
  assert.deepEqual(mapRect(box, from, { x: 100, y: 50, width: 200, height: 100 }), { x: 150, y: 62.5, width: 50, height: 50 }, 'halved');
  assert.deepEqual(mapRect(box, { x: 0, y: 0, width: 0, height: 10 }, from), box, 'empty source rect: unchanged');
});

test('intersectRect clips a face box to its tile', () => {
  const tile = { x: 0, y: 0, width: 100, height: 80 };
  assert.deepEqual(intersectRect({ x: -10, y: 60, width: 40, height: 40 }, tile), { x: 0, y: 60, width: 30, height: 20 });
  assert.deepEqual(intersectRect({ x: 20, y: 10, width: 30, height: 30 }, tile), { x: 20, y: 10, width: 30, height: 30 });
  assert.deepEqual(intersectRect({ x: 200, y: 10, width: 30, height: 30 }, tile), { x: 100, y: 10, width: 0, height: 30 });
});

test('overlapOfSmaller is 1 for a rect inside another whatever their sizes, where IoU is their area ratio', () => {
  const big = { x: 0, y: 0, width: 200, height: 200 };
  const inside = { x: 50, y: 50, width: 100, height: 100 };
  assert.equal(overlapOfSmaller(big, inside), 1);
  assert.equal(overlapOfSmaller(inside, big), 1);
  assert.equal(iou(big, inside), 0.25);
  assert.equal(overlapOfSmaller(big, { x: 150, y: 0, width: 100, height: 100 }), 0.5, 'half of the smaller one inside');
  assert.equal(overlapOfSmaller(big, { x: 300, y: 0, width: 100, height: 100 }), 0, 'apart');
  assert.equal(overlapOfSmaller(big, { x: 10, y: 10, width: 0, height: 100 }), 0, 'empty');
});

test('squareWindows covers a wide or tall picture with square windows overlapping by at least half', () => {
  assert.deepEqual(squareWindows({ x: 5, y: 5, width: 100, height: 105 }), [{ x: 5, y: 5, width: 100, height: 105 }], 'near-square: as is');
  const wide = squareWindows({ x: 0, y: 10, width: 960, height: 540 });
  assert.equal(wide.length, 3);
  assert.deepEqual(wide[0], { x: 0, y: 10, width: 540, height: 540 });
  assert.deepEqual(wide.at(-1), { x: 420, y: 10, width: 540, height: 540 });
  for (let k = 1; k < wide.length; k++) assert.ok(wide[k - 1]!.x + 540 - wide[k]!.x >= 270, 'overlap of at least half a window');
  const tall = squareWindows({ x: 0, y: 0, width: 100, height: 300 });
  assert.equal(tall.length, 5);
  assert.deepEqual(tall.at(-1), { x: 0, y: 200, width: 100, height: 100 });
});

test('supersampleFactors: k = floor(shorter box side / model side), clamped to 1..4', () => {
  const box = (width: number, height: number) => ({ x: 3, y: 7, width, height });
  assert.deepEqual(supersampleFactors([box(48, 48), box(95, 95), box(96, 200), box(150, 150), box(1000, 800), box(10, 10)], 48), [1, 1, 2, 3, 4, 1]);
  assert.deepEqual(supersampleFactors([box(130, 130)], 64), [2], "human's 64-px input");
  assert.deepEqual(supersampleFactors([box(1000, 1000)], 48, 2), [2], 'maxFactor');
  assert.deepEqual(supersampleFactors([], 48), []);
});
