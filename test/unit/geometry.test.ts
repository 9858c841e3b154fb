import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clipRect, cssRectToFrame, pixelBox } from '../../src/offscreen/geometry.ts';
import { DEFAULT_CONFIG, makeConfig } from '../../src/offscreen/config.ts';

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

test('makeConfig merges overrides and ignores undefined', () => {
  const c = makeConfig({ targetFps: 10, backend: undefined });
  assert.equal(c.targetFps, 10);
  assert.equal(c.backend, DEFAULT_CONFIG.backend);
  assert.equal(DEFAULT_CONFIG.targetFps, 5, 'defaults are not mutated');
});
