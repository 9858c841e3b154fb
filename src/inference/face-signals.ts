/**
 * Signals read off a face's 468 landmarks (MediaPipe FaceMesh topology, as human's face mesh
 * gives them): head pose, eye openness and mouth opening. Pure arithmetic, no tfjs.
 *
 * Landmarks are (x, y, z) triples in one unit on all three axes (any pixel scale): x to the
 * image's right, y down, z away from the camera (MediaPipe: smaller z is closer). The mesh
 * model's raw output (192 px crop units on every axis) is such a set; human's `face.mesh` is
 * too once its z is scaled by crop side / 192 (see `landmarksFromHuman`).
 */

/** Head pose in degrees. yaw > 0: the nose points to the image's right; pitch > 0: the face looks up; roll > 0: the head is tilted clockwise as seen in the image. Each in [-180, 180]. */
export interface HeadPose {
  yaw: number;
  pitch: number;
  roll: number;
}

/** What the landmarks of one face say. */
export interface LandmarkSignals {
  pose: HeadPose;
  /**
   * Eye aspect ratio (Soukupová & Čech 2016, "Real-time eye blink detection using facial
   * landmarks"), the mean of both eyes: lid-to-lid distance over corner-to-corner width, 3-D.
   * About 0.25-0.35 for open eyes on this mesh; closed under `signals.eyesClosedBelow`. >= 0.
   */
  eyeOpenness: number;
  /** Inner-lip gap over mouth width (landmarks 13-14 over 78-308), 3-D: about 0 when closed, 0.3-0.6 wide open. >= 0. */
  mouthOpening: number;
}

/** Landmark indices of the MediaPipe FaceMesh topology used here. */
export const LANDMARK = {
  forehead: 10,
  chin: 152,
  /** Face contour at the subject's right cheek (image left for an unmirrored picture) and left cheek. */
  cheekRight: 234,
  cheekLeft: 454,
  /** Subject's right eye: outer and inner corner, two upper and two lower lid points (pairs). */
  rightEye: { outer: 33, inner: 133, upper: [160, 158], lower: [144, 153] },
  leftEye: { outer: 263, inner: 362, upper: [387, 385], lower: [373, 380] },
  mouth: { upperInner: 13, lowerInner: 14, cornerRight: 78, cornerLeft: 308 },
} as const;

type Vec = [number, number, number];

function point(values: ArrayLike<number>, offset: number, index: number): Vec {
  const j = (offset + index) * 3;
  return [values[j]!, values[j + 1]!, values[j + 2]!];
}

const sub = (a: Vec, b: Vec): Vec => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const cross = (a: Vec, b: Vec): Vec => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
const norm = (a: Vec): number => Math.hypot(a[0], a[1], a[2]);
function unit(a: Vec): Vec {
  const n = norm(a) || 1;
  return [a[0] / n, a[1] / n, a[2] / n];
}
const deg = (rad: number): number => (rad * 180) / Math.PI;

/**
 * Head pose of the face whose landmarks start at landmark `offset` of `values`. The face's axes
 * are built as human builds them (`calculateFaceAngle`): y from forehead (10) to chin (152),
 * x from cheek to cheek (234 to 454), z = x × y (the face's normal, pointing away from the
 * camera for a frontal face), x re-orthogonalised. Then yaw = atan2(-z.x, z.z),
 * pitch = atan2(z.y, hypot(z.x, z.z)), roll = atan2(x.y, x.x).
 */
export function headPose(values: ArrayLike<number>, offset = 0): HeadPose {
  const p = (i: number) => point(values, offset, i);
  const y = unit(sub(p(LANDMARK.chin), p(LANDMARK.forehead)));
  let x = unit(sub(p(LANDMARK.cheekLeft), p(LANDMARK.cheekRight)));
  const z = unit(cross(x, y));
  x = cross(y, z);
  return { yaw: deg(Math.atan2(-z[0], z[2])), pitch: deg(Math.atan2(z[1], Math.hypot(z[0], z[2]))), roll: deg(Math.atan2(x[1], x[0])) };
}

function eyeRatio(values: ArrayLike<number>, offset: number, eye: (typeof LANDMARK)['rightEye'] | (typeof LANDMARK)['leftEye']): number {
  const p = (i: number) => point(values, offset, i);
  const width = norm(sub(p(eye.outer), p(eye.inner)));
  if (width === 0) return 0;
  const lids = eye.upper.reduce((sum, u, k) => sum + norm(sub(p(u), p(eye.lower[k]!))), 0);
  return lids / (eye.upper.length * width);
}

/** Pose, eye openness and mouth opening of the face whose landmarks start at landmark `offset` of `values` (468 triples from there). */
export function landmarkSignals(values: ArrayLike<number>, offset = 0): LandmarkSignals {
  const p = (i: number) => point(values, offset, i);
  const m = LANDMARK.mouth;
  const width = norm(sub(p(m.cornerLeft), p(m.cornerRight)));
  return {
    pose: headPose(values, offset),
    eyeOpenness: (eyeRatio(values, offset, LANDMARK.rightEye) + eyeRatio(values, offset, LANDMARK.leftEye)) / 2,
    mouthOpening: width > 0 ? norm(sub(p(m.lowerInner), p(m.upperInner))) / width : 0,
  };
}

/**
 * human's `face.mesh` (468 points, x and y in the detector input's px, z in the 192 px mesh
 * crop's units) as one flat (x, y, z) array in detector px on every axis; null when it has
 * fewer than 468 points or any is missing.
 * @param cropSide side of the square box the mesh ran on, detector px (human's enlarged box).
 */
export function landmarksFromHuman(mesh: readonly (readonly (number | undefined)[])[], cropSide: number, meshInput = 192): Float32Array | null {
  if (mesh.length < 468) return null;
  const out = new Float32Array(468 * 3);
  const zScale = cropSide / meshInput;
  for (let i = 0; i < 468; i++) {
    const [x, y, z] = mesh[i]!;
    if (x === undefined || y === undefined) return null;
    out[i * 3] = x;
    out[i * 3 + 1] = y;
    out[i * 3 + 2] = (z ?? 0) * zScale;
  }
  return out;
}
