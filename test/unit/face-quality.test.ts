/**
 * faceQuality: each factor's ramp between its ends in QUALITY_RAMPS, the score as the lowest
 * factor, the factor named, and monotonicity in each measurement.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { faceQuality, QUALITY_RAMPS as R, unmeasuredQuality } from '../../src/inference/face-quality.ts';

/** Measurements that score 1 on every factor. */
const GOOD = { side: R.size.one + 50, yaw: 0, brightness: (R.dark.one + R.bright.one) / 2, sharpness: R.blur.one * 2 };
const mid = (a: number, b: number) => (a + b) / 2;

test('a large, frontal, well-lit, sharp face scores 1', () => {
  const q = faceQuality(GOOD.side, GOOD.yaw, GOOD.brightness, GOOD.sharpness);
  assert.equal(q.score, 1);
  assert.equal(q.sidePx, GOOD.side);
  assert.equal(q.brightness, GOOD.brightness);
  assert.equal(q.sharpness, GOOD.sharpness);
});

test('each ramp is 0 at (or beyond) its zero end, 1 at its one end, 0.5 half way, and names its factor', () => {
  const cases: [string, (v: number) => ReturnType<typeof faceQuality>, number, number][] = [
    ['size', (v) => faceQuality(v, GOOD.yaw, GOOD.brightness, GOOD.sharpness), R.size.zero, R.size.one],
    ['pose', (v) => faceQuality(GOOD.side, v, GOOD.brightness, GOOD.sharpness), R.yaw.zero, R.yaw.one],
    ['light', (v) => faceQuality(GOOD.side, GOOD.yaw, v, GOOD.sharpness), R.dark.zero, R.dark.one],
    ['light', (v) => faceQuality(GOOD.side, GOOD.yaw, v, GOOD.sharpness), R.bright.zero, R.bright.one],
    ['blur', (v) => faceQuality(GOOD.side, GOOD.yaw, GOOD.brightness, v), R.blur.zero, R.blur.one],
  ];
  for (const [factor, q, zero, one] of cases) {
    assert.equal(q(zero).score, 0, `${factor} at zero ${zero}`);
    assert.equal(q(zero).limitedBy, factor);
    assert.equal(q(zero + (zero - one)).score, 0, `${factor} beyond zero`);
    assert.equal(q(one).score, 1, `${factor} at one ${one}`);
    assert.ok(Math.abs(q(mid(zero, one)).score - 0.5) < 1e-9, `${factor} half way`);
    assert.equal(q(mid(zero, one)).limitedBy, factor);
  }
});

test('pose uses |yaw|: a face turned left scores as one turned right', () => {
  const y = mid(R.yaw.one, R.yaw.zero);
  assert.equal(faceQuality(GOOD.side, y, GOOD.brightness, GOOD.sharpness).score, faceQuality(GOOD.side, -y, GOOD.brightness, GOOD.sharpness).score);
});

test('no landmarks (yaw null) leaves the pose out', () => {
  const q = faceQuality(GOOD.side, null, GOOD.brightness, GOOD.sharpness);
  assert.equal(q.score, 1);
});

test('the score is the lowest factor, and limitedBy names it', () => {
  const small = R.size.zero + 0.25 * (R.size.one - R.size.zero);
  const blurry = R.blur.zero + 0.6 * (R.blur.one - R.blur.zero);
  const q = faceQuality(small, GOOD.yaw, GOOD.brightness, blurry);
  assert.ok(Math.abs(q.score - 0.25) < 1e-9);
  assert.equal(q.limitedBy, 'size');
  const r = faceQuality(R.size.one, GOOD.yaw, GOOD.brightness, R.blur.zero + 0.1 * (R.blur.one - R.blur.zero));
  assert.equal(r.limitedBy, 'blur');
});

test('the score never decreases with size or sharpness, never increases with |yaw|, and stays in [0, 1]', () => {
  let last = -1;
  for (let side = 0; side <= 200; side += 2) {
    const s = faceQuality(side, GOOD.yaw, GOOD.brightness, GOOD.sharpness).score;
    assert.ok(s >= last && s >= 0 && s <= 1);
    last = s;
  }
  last = -1;
  for (let sh = 0; sh <= R.blur.one * 3; sh += R.blur.one / 50) {
    const s = faceQuality(GOOD.side, GOOD.yaw, GOOD.brightness, sh).score;
    assert.ok(s >= last && s >= 0 && s <= 1);
    last = s;
  }
  last = 2;
  for (let yaw = 0; yaw <= 90; yaw += 1) {
    const s = faceQuality(GOOD.side, yaw, GOOD.brightness, GOOD.sharpness).score;
    assert.ok(s <= last && s >= 0 && s <= 1);
    last = s;
  }
});

test('brightness: rises from dark to mid-gray, falls towards white', () => {
  const at = (b: number) => faceQuality(GOOD.side, GOOD.yaw, b, GOOD.sharpness).score;
  let peak = 0;
  for (let b = 0; b <= 255; b++) {
    const s = at(b);
    if (b <= R.dark.one) assert.ok(s >= at(Math.max(0, b - 1)));
    if (b >= R.bright.one) assert.ok(s <= at(b - 1));
    peak = Math.max(peak, s);
  }
  assert.equal(peak, 1);
});

test('ramp ends are ordered: zero below one (above one for yaw and overexposure)', () => {
  assert.ok(R.size.zero < R.size.one);
  assert.ok(R.dark.zero < R.dark.one);
  assert.ok(R.blur.zero < R.blur.one);
  assert.ok(R.yaw.one < R.yaw.zero);
  assert.ok(R.bright.one < R.bright.zero);
  assert.ok(R.dark.one < R.bright.one);
});

test('an unmeasured face always counts as readable', () => {
  const q = unmeasuredQuality(48);
  assert.equal(q.score, 1);
  assert.equal(q.sidePx, 48);
  assert.ok(Number.isNaN(q.brightness));
});
