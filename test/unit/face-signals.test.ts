/**
 * landmarkSignals on synthetic landmarks: a canonical frontal 3-D face (only the indices
 * face-signals.ts reads), rotated by known yaw / pitch / roll and projected orthographically
 * (x, y kept, z kept as the mesh's depth), must give each angle back with the documented sign;
 * eye openness and mouth opening must follow the lids and lips.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LANDMARK, landmarkSignals } from '../../src/inference/face-signals.ts';

type P = [number, number, number];

/** Canonical frontal face, px: x to the image's right, y down, z away from the camera; nose towards the camera. */
function canonical(eyeHalfGap = 4.5, lipGap = 0): Map<number, P> {
  const m = new Map<number, P>();
  m.set(LANDMARK.forehead, [0, -90, 10]);
  m.set(LANDMARK.chin, [0, 90, 10]);
  m.set(LANDMARK.cheekRight, [-75, 0, 35]); // subject's right cheek: image left
  m.set(LANDMARK.cheekLeft, [75, 0, 35]);
  const eye = (e: typeof LANDMARK.rightEye | typeof LANDMARK.leftEye, outerX: number, innerX: number) => {
    m.set(e.outer, [outerX, -25, 8]);
    m.set(e.inner, [innerX, -25, 5]);
    e.upper.forEach((u, k) => {
      const x = outerX + ((innerX - outerX) * (k + 1)) / 3;
      m.set(u, [x, -25 - eyeHalfGap, 2]);
      m.set(e.lower[k]!, [x, -25 + eyeHalfGap, 2]);
    });
  };
  eye(LANDMARK.rightEye, -50, -20);
  eye(LANDMARK.leftEye, 50, 20);
  m.set(LANDMARK.mouth.cornerRight, [-25, 45, 5]);
  m.set(LANDMARK.mouth.cornerLeft, [25, 45, 5]);
  m.set(LANDMARK.mouth.upperInner, [0, 45 - lipGap / 2, 0]);
  m.set(LANDMARK.mouth.lowerInner, [0, 45 + lipGap / 2, 0]);
  return m;
}

const rad = (d: number) => (d * Math.PI) / 180;

/**
 * Rotates the face about its centre: yaw about the vertical axis (nose to the image's right
 * for yaw > 0), pitch about the horizontal one (nose up for pitch > 0), roll in the image plane
 * (clockwise on screen for roll > 0, y down), applied in that order; then flattens to the
 * 468-landmark layout, every index not read left at zero.
 */
function pose(face: Map<number, P>, yaw: number, pitch: number, roll: number, offset = [320, 240]): Float32Array {
  const out = new Float32Array(468 * 3);
  for (const [i, [x0, y0, z0]] of face) {
    // yaw: (0, 0, -1) (the nose direction) goes to (sin a, 0, -cos a)
    const a = rad(yaw);
    const x1 = x0 * Math.cos(a) - z0 * Math.sin(a);
    const z1 = x0 * Math.sin(a) + z0 * Math.cos(a);
    // pitch: (0, 0, -1) goes to (0, -sin b, -cos b), up in the image
    const b = rad(pitch);
    const y2 = y0 * Math.cos(b) + z1 * Math.sin(b);
    const z2 = -y0 * Math.sin(b) + z1 * Math.cos(b);
    // roll: (1, 0) goes to (cos c, sin c): clockwise on screen with y down
    const c = rad(roll);
    const x3 = x1 * Math.cos(c) - y2 * Math.sin(c);
    const y3 = x1 * Math.sin(c) + y2 * Math.cos(c);
    out.set([x3 + offset[0]!, y3 + offset[1]!, z2], i * 3);
  }
  return out;
}

const near = (actual: number, expected: number, tol: number, what: string) => assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual.toFixed(2)} vs ${expected}`);

test('a frontal face has yaw, pitch and roll 0', () => {
  const s = landmarkSignals(pose(canonical(), 0, 0, 0));
  near(s.pose.yaw, 0, 0.01, 'yaw');
  near(s.pose.pitch, 0, 0.01, 'pitch');
  near(s.pose.roll, 0, 0.01, 'roll');
});

test('yaw alone is recovered with its sign: > 0 when the nose points to the image right', () => {
  for (const yaw of [-45, -30, -10, 10, 30, 45]) {
    const s = landmarkSignals(pose(canonical(), yaw, 0, 0));
    near(s.pose.yaw, yaw, 1, `yaw ${yaw}`);
    near(s.pose.pitch, 0, 1, `pitch at yaw ${yaw}`);
    near(s.pose.roll, 0, 1, `roll at yaw ${yaw}`);
  }
});

test('pitch alone is recovered with its sign: > 0 when the face looks up', () => {
  for (const pitch of [-30, -15, 15, 30]) {
    const s = landmarkSignals(pose(canonical(), 0, pitch, 0));
    near(s.pose.pitch, pitch, 1, `pitch ${pitch}`);
    near(s.pose.yaw, 0, 1, `yaw at pitch ${pitch}`);
    near(s.pose.roll, 0, 1, `roll at pitch ${pitch}`);
  }
});

test('roll alone is recovered with its sign: > 0 when the head tilts clockwise in the image', () => {
  for (const roll of [-40, -20, -5, 5, 20, 40]) {
    const s = landmarkSignals(pose(canonical(), 0, 0, roll));
    near(s.pose.roll, roll, 1, `roll ${roll}`);
    near(s.pose.yaw, 0, 1, `yaw at roll ${roll}`);
    near(s.pose.pitch, 0, 1, `pitch at roll ${roll}`);
  }
});

// Angles measured in the camera frame cross-talk: a face turned by yaw a and pitched by b shows
// its cheek line tilted by about atan(tan a sin b) in the image (3.6 degrees at 20 / 10), which
// reads as roll; hence 4 degrees on roll when the other two are not zero.
test('yaw and pitch together are each recovered within 2 degrees (roll within 4)', () => {
  for (const [yaw, pitch] of [
    [20, 10],
    [-20, -10],
    [15, -15],
  ] as const) {
    const s = landmarkSignals(pose(canonical(), yaw, pitch, 0));
    near(s.pose.yaw, yaw, 2, `yaw ${yaw}, pitch ${pitch}`);
    near(s.pose.pitch, pitch, 2, `pitch ${pitch}, yaw ${yaw}`);
    near(s.pose.roll, 0, 4, `roll at yaw ${yaw}, pitch ${pitch}`);
  }
});

test('with roll, yaw and pitch are the angles of the nose direction as the camera sees it, and roll is the in-plane tilt (within 4)', () => {
  for (const [yaw, pitch, roll] of [
    [20, 10, 10],
    [0, 20, 30],
    [-15, -10, -20],
  ] as const) {
    // The nose direction (0, 0, -1) after yaw, pitch and roll, in camera axes.
    const n = pose(new Map<number, P>([[0, [0, 0, -1]]]), yaw, pitch, roll, [0, 0]);
    const s = landmarkSignals(pose(canonical(), yaw, pitch, roll));
    near(s.pose.yaw, (Math.atan2(n[0]!, -n[2]!) * 180) / Math.PI, 0.01, `yaw of ${yaw}/${pitch}/${roll}`);
    near(s.pose.pitch, (Math.atan2(-n[1]!, Math.hypot(n[0]!, n[2]!)) * 180) / Math.PI, 0.01, `pitch of ${yaw}/${pitch}/${roll}`);
    near(s.pose.roll, roll, 4, `roll of ${yaw}/${pitch}/${roll}`);
  }
});

test('the result does not depend on where the face is or on its scale', () => {
  const a = landmarkSignals(pose(canonical(), 25, -10, 12, [100, 50]));
  const face = canonical();
  for (const [i, p] of face) face.set(i, [p[0] * 2.5, p[1] * 2.5, p[2] * 2.5]);
  const b = landmarkSignals(pose(face, 25, -10, 12, [600, 400]));
  near(a.pose.yaw, b.pose.yaw, 1e-3, 'yaw');
  near(a.pose.pitch, b.pose.pitch, 1e-3, 'pitch');
  near(a.pose.roll, b.pose.roll, 1e-3, 'roll');
  near(a.eyeOpenness, b.eyeOpenness, 1e-6, 'eyes');
});

test('eye openness: about 0.3 for open eyes, near 0 for closed ones, and it does not move with roll', () => {
  const open = landmarkSignals(pose(canonical(4.5), 0, 0, 0)).eyeOpenness;
  const closed = landmarkSignals(pose(canonical(0.3), 0, 0, 0)).eyeOpenness;
  near(open, 0.3, 0.01, 'open eyes');
  assert.ok(closed < 0.05, `closed eyes ${closed}`);
  near(landmarkSignals(pose(canonical(4.5), 0, 0, 30)).eyeOpenness, open, 1e-4, 'open eyes, roll 30');
});

test('mouth opening: 0 for closed lips, inner gap over mouth width for open ones', () => {
  near(landmarkSignals(pose(canonical(4.5, 0), 0, 0, 0)).mouthOpening, 0, 1e-6, 'closed');
  near(landmarkSignals(pose(canonical(4.5, 20), 0, 0, 0)).mouthOpening, 0.4, 1e-4, 'open');
});

test('a degenerate mesh (all zeros) gives finite zeros for eyes and mouth', () => {
  const s = landmarkSignals(new Float32Array(468 * 3));
  assert.equal(s.eyeOpenness, 0);
  assert.equal(s.mouthOpening, 0);
});
