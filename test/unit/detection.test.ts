/**
 * The detector stage's pure parts: the landmark-layout check (inference/face-layout.ts), the
 * second-chance boxes and faces (inference/detector.ts needsRefit, rescueBox, rescuedFace),
 * and the figures of `npm run bench:detect` (bench/lib/detect-figures.ts, bench/lib/negatives.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { layoutFault, plausibleLayout } from '../../src/inference/face-layout.ts';
import { keepLargest, needsRefit, rescueBox, rescuedFace, sameFace } from '../../src/inference/detector.ts';
import { iou, squareWindows } from '../../src/inference/geometry.ts';
import { DEFAULT_CONFIG, makeConfig } from '../../src/inference/config.ts';
import { MESH_POINTS, type MeshFit } from '../../src/inference/mesh.ts';
import { centred, choose, median, type CandidateFigures } from '../../bench/lib/detect-figures.ts';
import { mulberry32, negativeSpec, NEGATIVE_KINDS } from '../../bench/lib/negatives.ts';

/**
 * 468 landmarks of a schematic upright frontal face, px: every point at the face centre
 * (200, 200) except the ones the layout check reads, placed by `parts` (IOD 60 px).
 */
function face(parts: Partial<Record<'eyeR' | 'eyeL' | 'nose' | 'mouthR' | 'mouthL' | 'chin', [number, number]>> = {}): Float32Array {
  const p = { eyeR: [170, 180], eyeL: [230, 180], nose: [200, 222], mouthR: [176, 250], mouthL: [224, 250], chin: [200, 300], ...parts };
  const out = new Float32Array(MESH_POINTS * 3);
  for (let i = 0; i < MESH_POINTS; i++) [out[i * 3], out[i * 3 + 1]] = [200, 200];
  const set = (i: number, [x, y]: readonly number[]) => ([out[i * 3], out[i * 3 + 1]] = [x!, y!]);
  set(33, [p.eyeR[0]! - 10, p.eyeR[1]!]);
  set(133, [p.eyeR[0]! + 10, p.eyeR[1]!]);
  set(362, [p.eyeL[0]! - 10, p.eyeL[1]!]);
  set(263, [p.eyeL[0]! + 10, p.eyeL[1]!]);
  set(1, p.nose);
  set(61, p.mouthR);
  set(291, p.mouthL);
  set(152, p.chin);
  return out;
}

/** `points` rotated by `deg` degrees about (200, 200). */
function rotated(points: Float32Array, deg: number): Float32Array {
  const a = (deg * Math.PI) / 180;
  const out = points.slice();
  for (let i = 0; i < out.length; i += 3) {
    const x = out[i]! - 200;
    const y = out[i + 1]! - 200;
    out[i] = 200 + x * Math.cos(a) - y * Math.sin(a);
    out[i + 1] = 200 + x * Math.sin(a) + y * Math.cos(a);
  }
  return out;
}

test('an upright face and the same face tilted 30 degrees pass the layout check', () => {
  assert.equal(layoutFault(face()), null);
  assert.equal(plausibleLayout(rotated(face(), 30)), true);
});

test('the layout check fails upside-down faces, a mouth above the nose, a nose off to the side and degenerate fits', () => {
  assert.equal(layoutFault(rotated(face(), 180)), 'roll');
  assert.equal(layoutFault(face({ mouthR: [176, 205], mouthL: [224, 205] })), 'mouth');
  assert.equal(layoutFault(face({ nose: [260, 222] })), 'sideways');
  assert.equal(layoutFault(face({ nose: [200, 185] })), 'nose', 'a nose tip on the eye line');
  assert.equal(layoutFault(face({ chin: [200, 252] })), 'chin');
  assert.equal(layoutFault(face({ mouthR: [198, 250], mouthL: [202, 250] })), 'mouth-width');
  assert.equal(layoutFault(face({ eyeR: [200, 180], eyeL: [200, 180] })), 'degenerate');
  assert.equal(layoutFault(new Float32Array(30)), 'degenerate');
  assert.equal(plausibleLayout(face({ nose: [Number.NaN, 222] })), false);
});

test('one face found whole in one square window and cut by the next one\'s edge is one face; two faces side by side stay two', () => {
  // single_face.webm at 0 s, 640x360, one multi-person tile: windows at x = 0, 140, 280 (side
  // 360). The window at x = 140 sees the whole face; the one at x = 280 finds it too, its box
  // clipped at x = 280 (measured boxes, tile px).
  assert.deepEqual(squareWindows({ x: 0, y: 0, width: 640, height: 360 }).map((w) => w.x), [0, 140, 280]);
  const whole = { box: { x: 175, y: 81, width: 240, height: 240 }, window: 140 };
  const cut = { box: { x: 280, y: 101, width: 131, height: 213 }, window: 280 };
  assert.ok(iou(whole.box, cut.box) < 0.5, 'IoU alone (0.48) would keep both');
  assert.equal(sameFace(whole.box, cut.box), true);
  assert.deepEqual(keepLargest([cut, whole], 12), [whole], 'the whole box is kept, whatever the order');
  // The detector's near-copies (IoU > 0.5) are still one face.
  assert.equal(sameFace(whole.box, { x: 180, y: 85, width: 230, height: 236 }), true);
  // Two faces of side 100 that touch, each box the face enlarged 1.4x: their boxes share
  // 40 / 140 = 0.29 of a box. Two people, however large one of them is.
  const left = { box: { x: 0, y: 0, width: 140, height: 140 } };
  const right = { box: { x: 100, y: 0, width: 140, height: 140 } };
  const bigRight = { box: { x: 100, y: -60, width: 260, height: 260 } };
  assert.equal(sameFace(left.box, right.box), false);
  assert.equal(sameFace(left.box, bigRight.box), false);
  assert.deepEqual(keepLargest([left, right], 12), [left, right]);
  assert.deepEqual(keepLargest([left, bigRight], 12), [bigRight, left], 'largest first');
  assert.deepEqual(keepLargest([left, right, bigRight], 1), [bigRight], 'at most max');
});

test('a re-fit is asked for only between refitMinScore and minScore, with the mesh check on', () => {
  const mesh = makeConfig({ mesh: { minScore: 0.9, refitMinScore: 0.5 } }).mesh;
  assert.equal(needsRefit(0.7, mesh), true);
  assert.equal(needsRefit(0.49, mesh), false);
  assert.equal(needsRefit(0.9, mesh), false);
  assert.equal(needsRefit(0.7, DEFAULT_CONFIG.mesh), false, 'off by default');
  assert.equal(needsRefit(0.7, { ...mesh, verify: false }), false);
});

test('the rescue box is centred on human\'s box and rescueScale / boxScale times its crop side, in tile px', () => {
  // A 320x180 detector input of a 640x360 window at (100, 50): scale 0.5.
  const f = { boxRaw: [0.25, 0.25, 0.5, 0.5], size: [70, 70] };
  const box = rescueBox(f, { x: 100, y: 50, width: 640, height: 360 }, 0.5, 320, 180, 1.4, 2.8);
  // Centre (160, 90) detector px = (320, 180) window px = (420, 230) tile px; side 70 * 2.8 / 1.4 / 0.5 = 280.
  assert.deepEqual(box, { x: 280, y: 90, width: 280, height: 280 });
});

test('a rescued face gets the fit\'s landmarks in detector px and a boxScale-sized box about them, clamped', () => {
  const landmarks = new Float32Array(MESH_POINTS * 3);
  for (let i = 0; i < MESH_POINTS; i++) {
    // Landmarks spread over tile px x 110..190, y 60..140 (centre (150, 100)), z 10.
    landmarks[i * 3] = 110 + (80 * (i % 2));
    landmarks[i * 3 + 1] = 60 + (80 * (i % 3 === 0 ? 1 : 0));
    landmarks[i * 3 + 2] = 10;
  }
  const fit = { confidence: 0.97, landmarks } as unknown as MeshFit;
  const window = { x: 100, y: 0, width: 200, height: 200 };
  const out = rescuedFace(fit, window, 2, 100, 400, 400);
  assert.equal(out.faceScore, 0.97);
  assert.equal(out.mesh.length, MESH_POINTS);
  assert.deepEqual(out.mesh[0], [20, 280, 10 * 2 * (192 / 100)]);
  // Landmark centre in detector px: x (20 + 180) / 2 = 100, y (120 + 280) / 2 = 200; side 100.
  assert.deepEqual(out.box, [50, 150, 100, 100]);
  assert.deepEqual(out.size, [100, 100]);
  const clamped = rescuedFace(fit, window, 2, 100, 120, 220);
  assert.deepEqual(clamped.box, [50, 150, 70, 70]);
});

test('a photo counts as found only when the box centre is in the middle 40 %', () => {
  assert.equal(centred({ x: 100, y: 100, width: 150, height: 150 }, 350, 350), true);
  assert.equal(centred({ x: 0, y: 0, width: 60, height: 60 }, 350, 350), false);
  assert.equal(centred({ x: 200, y: 120, width: 100, height: 100 }, 350, 350), false, 'centre x 250 / 350 = 0.71');
});

test('median of odd and even counts, NaN when empty', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.ok(Number.isNaN(median([])));
});

function figures(id: string, A: number, falseFaces: number, ratio: number): CandidateFigures {
  return { id, what: id, shipped: false, found: { all: A, A, B: 0 }, offCentre: 0, falseFaces: { no_face: falseFaces, titles: 0, generated: 0, byKind: {} }, cost: { medianMs: 20 * ratio, ratio, lfwMedianMs: 0, negativeMedianMs: 0 }, eligible: false };
}

test('the protocol: false faces or a cost over 1.20 x exclude; the most half-A faces win; adopted at 2 more than the baseline', () => {
  assert.deepEqual(choose([figures('C0', 100, 0, 1), figures('C1', 120, 1, 1), figures('C2', 119, 0, 1.21), figures('C3', 105, 0, 1.1), figures('C4', 105, 0, 1.05)]), { winner: 'C4', adopt: true, why: 'C4 finds 5 more half-A photos than C0 (adopted at >= 2)' });
  assert.equal(choose([figures('C0', 100, 0, 1), figures('C1', 101, 0, 1)]).adopt, false, 'one photo more is not enough');
  assert.deepEqual(choose([figures('C0', 100, 1, 1), figures('C1', 110, 2, 1)]).winner, 'C0', 'nothing eligible: the defaults stay');
  assert.equal(choose([figures('C0', 100, 1, 1), figures('C1', 110, 2, 1)]).adopt, false);
});

test('the negative set is seeded: the same index gives the same spec and random stream; kinds and sizes cycle', () => {
  assert.deepEqual(negativeSpec(13), negativeSpec(13));
  assert.notEqual(negativeSpec(13).seed, negativeSpec(14).seed);
  assert.deepEqual(NEGATIVE_KINDS.map((_, i) => negativeSpec(i).kind), [...NEGATIVE_KINDS]);
  assert.deepEqual([negativeSpec(0).width, negativeSpec(8).width, negativeSpec(16).width], [640, 320, 640]);
  const a = mulberry32(42);
  const b = mulberry32(42);
  const xs = Array.from({ length: 5 }, a);
  assert.deepEqual(xs, Array.from({ length: 5 }, b));
  assert.ok(xs.every((x) => x >= 0 && x < 1));
  assert.notDeepEqual(xs, Array.from({ length: 5 }, mulberry32(43)));
});
