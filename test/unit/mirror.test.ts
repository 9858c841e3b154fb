/**
 * The mirror's pure parts: the user's words for each camera failure, the head-pose axes drawn
 * from the landmarks (they must agree with the pose figures), the landmarks' box, and the
 * mapping of faces from the tile image to the camera picture and from a mesh crop to the tile.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { headPose, LANDMARK } from '../../src/inference/face-signals.ts';
import { cropToTile } from '../../src/inference/mesh.ts';
import { cameraError } from '../../src/mirror/camera.ts';
import { landmarkBox, poseAxes } from '../../src/mirror/draw.ts';
import { facesInVideo } from '../../src/mirror/faces.ts';
import { unmeasuredQuality } from '../../src/inference/face-quality.ts';
import { toProbabilities } from '../../src/shared/emotions.ts';

/** 468 landmarks with the pose points of a frontal face turned by `yawDeg` about the vertical axis through the origin, px. */
function face(yawDeg = 0): Float32Array {
  const a = (yawDeg * Math.PI) / 180;
  const points = new Float32Array(468 * 3);
  const put = (i: number, x: number, y: number, z: number) => {
    // Yaw: the nose (towards the camera, -z) swings to the image's right for yaw > 0.
    points.set([x * Math.cos(a) - z * Math.sin(a), y, x * Math.sin(a) + z * Math.cos(a)], i * 3);
  };
  put(LANDMARK.forehead, 0, -90, 10);
  put(LANDMARK.chin, 0, 90, 10);
  put(LANDMARK.cheekRight, -75, 0, 35);
  put(LANDMARK.cheekLeft, 75, 0, 35);
  put(1, 0, 10, -40);
  return points;
}

test('each getUserMedia failure gets its own problem and a message that says what to do', () => {
  const dom = (name: string, message = '') => Object.assign(new Error(message), { name });
  assert.equal(cameraError(dom('NotAllowedError')).problem, 'denied');
  assert.match(cameraError(dom('NotAllowedError')).message, /denied.*Allow the camera/);
  assert.equal(cameraError(dom('SecurityError')).problem, 'denied');
  assert.equal(cameraError(dom('NotFoundError')).problem, 'none');
  assert.equal(cameraError(dom('OverconstrainedError')).problem, 'none');
  assert.equal(cameraError(dom('NotReadableError')).problem, 'busy');
  assert.match(cameraError(dom('NotReadableError')).message, /another app/);
  assert.equal(cameraError(dom('AbortError')).problem, 'busy');
  const other = cameraError(dom('TypeError', 'bad constraints'));
  assert.equal(other.problem, 'other');
  assert.match(other.message, /bad constraints/);
  assert.equal(cameraError('weird').problem, 'other');
});

test('a frontal face has its axes along the picture: x to the right, y down, z (out of the face) nearly a point', () => {
  const axes = poseAxes(face(0));
  assert.deepEqual(axes.origin, { x: 0, y: 10 });
  assert.ok(Math.abs(axes.x.x - 1) < 1e-6 && Math.abs(axes.x.y) < 1e-6);
  assert.ok(Math.abs(axes.y.y - 1) < 1e-6 && Math.abs(axes.y.x) < 1e-6);
  assert.ok(Math.hypot(axes.z.x, axes.z.y) < 1e-6);
});

test('a turned face: the drawn z axis points the way the pose says the nose points, and shortens the x axis', () => {
  for (const yaw of [-40, -15, 15, 40]) {
    const points = face(yaw);
    const axes = poseAxes(points);
    const pose = headPose(points);
    assert.ok(Math.abs(pose.yaw - yaw) < 0.5, `pose ${pose.yaw} for ${yaw}`);
    assert.equal(Math.sign(axes.z.x), Math.sign(pose.yaw), `z axis ${axes.z.x} for yaw ${yaw}`);
    assert.ok(Math.abs(Math.abs(axes.z.x) - Math.sin((Math.abs(yaw) * Math.PI) / 180)) < 1e-3);
    assert.ok(Math.abs(axes.x.x - Math.cos((yaw * Math.PI) / 180)) < 1e-3);
  }
});

test('the landmarks box is their extent in x and y; empty landmarks give an empty box', () => {
  assert.deepEqual(landmarkBox([10, 20, 0, 30, 5, 1, 15, 40, 2]), { x: 10, y: 5, width: 20, height: 35 });
  assert.deepEqual(landmarkBox([]), { x: 0, y: 0, width: 0, height: 0 });
});

test('faces come back in the camera picture px: the tile image was scaled down from it', () => {
  const landmarks = new Float32Array([10, 20, 4, 30, 40, -2]);
  const result = { faces: [{ box: { x: 10, y: 20, width: 50, height: 60 }, score: 1, meshScore: 1, probabilities: toProbabilities([0, 0, 0, 1, 0, 0, 0]), signals: { pose: { yaw: 5, pitch: 0, roll: 0 }, eyeOpenness: 0.3, mouthOpening: 0 }, quality: unmeasuredQuality(60), landmarks }] };
  const [f] = facesInVideo({ width: 480, height: 270 }, result, 1280, 720);
  const s = 1280 / 480;
  assert.deepEqual(f!.box, { x: 10 * s, y: 20 * s, width: 50 * s, height: 60 * s });
  assert.deepEqual([...f!.landmarks!].map((v) => Math.round(v * 1000) / 1000), [10, 20, 4, 30, 40, -2].map((v) => Math.round(v * s * 1000) / 1000));
  assert.deepEqual(f!.pose, { yaw: 5, pitch: 0, roll: 0 });
  assert.equal(facesInVideo({ width: 480, height: 270 }, { faces: [{ ...result.faces[0]!, landmarks: null, signals: null }] }, 480, 270)[0]!.landmarks, null);
});

test('mesh landmarks in crop px map into the tile through the crop box; z scales as x', () => {
  const points = [0, 0, 0, 192, 192, 96, 96, 48, -10];
  const out = cropToTile(points, 1, 2, { x: 100, y: 50, width: 96, height: 192 }, 192);
  assert.deepEqual([...out], [196, 242, 48, 148, 98, -5]);
});
