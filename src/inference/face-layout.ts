/**
 * A plausibility check of a face-mesh fit's landmark layout, pure: the eyes side by side, the
 * nose and the mouth below them and between them, in a face's proportions. Landmark indices
 * are MediaPipe FaceMesh's 468-point topology (the mesh human ships): eye corners 33/133
 * (subject's right eye) and 362/263 (left eye), nose tip 1, mouth corners 61/291, chin 152.
 * Proportions are in units of the distance between the eye centres (interocular distance,
 * IOD); the bounds are loose on purpose (a frontal adult face: nose tip about 0.6-0.8 IOD
 * below the eye line, mouth about 1.1-1.3, chin about 1.8-2.1; mouth width about 0.8) so that
 * turned, tilted and expressive faces pass.
 */

/** Bounds of the layout check, all in IOD units except `maxRollDeg`. */
export const LAYOUT_BOUNDS = {
  /** Nose tip below the eye line, IOD. */
  nose: [0.25, 1.3],
  /** Mouth centre below the eye line, IOD. */
  mouth: [0.6, 2.0],
  /** Chin below the mouth centre, IOD. */
  chinBelowMouth: [0.2, 1.5],
  /** Mouth width (corner to corner), IOD. */
  mouthWidth: [0.35, 1.6],
  /** Nose tip and mouth centre sideways from the eyes' midpoint, at most, IOD. */
  maxSideways: 0.75,
  /** Eye line tilt from horizontal, at most, degrees. */
  maxRollDeg: 60,
} as const;

/** Why a layout failed, or null when it passed. */
export type LayoutFault = 'degenerate' | 'roll' | 'nose' | 'mouth' | 'chin' | 'mouth-width' | 'sideways' | null;

function point(values: ArrayLike<number>, i: number): [number, number] {
  return [values[i * 3]!, values[i * 3 + 1]!];
}

/**
 * Checks the layout of `landmarks` (468 (x, y, z) triples, flat, any px units with y down).
 * @returns the first failed check ('degenerate': too few points, NaN, or the eyes on top of
 *   each other), or null when every check of LAYOUT_BOUNDS passes.
 */
export function layoutFault(landmarks: ArrayLike<number>): LayoutFault {
  if (landmarks.length < 468 * 3) return 'degenerate';
  const mid = (a: number, b: number): [number, number] => {
    const [ax, ay] = point(landmarks, a);
    const [bx, by] = point(landmarks, b);
    return [(ax + bx) / 2, (ay + by) / 2];
  };
  const eyeR = mid(33, 133);
  const eyeL = mid(362, 263);
  const dx = eyeL[0] - eyeR[0];
  const dy = eyeL[1] - eyeR[1];
  const iod = Math.hypot(dx, dy);
  if (!Number.isFinite(iod) || iod < 1e-6) return 'degenerate';
  // Face axes: u along the eye line (image right for an upright face), v perpendicular, down.
  const ux = dx / iod;
  const uy = dy / iod;
  const vx = -uy;
  const vy = ux;
  if ((Math.acos(Math.max(-1, Math.min(1, ux))) * 180) / Math.PI > LAYOUT_BOUNDS.maxRollDeg) return 'roll';
  const origin = [(eyeR[0] + eyeL[0]) / 2, (eyeR[1] + eyeL[1]) / 2];
  const local = (p: [number, number]): [number, number] => {
    const px = p[0] - origin[0]!;
    const py = p[1] - origin[1]!;
    return [(px * ux + py * uy) / iod, (px * vx + py * vy) / iod];
  };
  const nose = local(point(landmarks, 1));
  const mouthR = local(point(landmarks, 61));
  const mouthL = local(point(landmarks, 291));
  const mouth: [number, number] = [(mouthR[0] + mouthL[0]) / 2, (mouthR[1] + mouthL[1]) / 2];
  const chin = local(point(landmarks, 152));
  if (![...nose, ...mouth, ...chin].every(Number.isFinite)) return 'degenerate';
  const within = (x: number, [lo, hi]: readonly [number, number]): boolean => x >= lo && x <= hi;
  if (!within(nose[1], LAYOUT_BOUNDS.nose)) return 'nose';
  if (!within(mouth[1], LAYOUT_BOUNDS.mouth) || mouth[1] <= nose[1]) return 'mouth';
  if (!within(chin[1] - mouth[1], LAYOUT_BOUNDS.chinBelowMouth)) return 'chin';
  if (!within(Math.hypot(mouthL[0] - mouthR[0], mouthL[1] - mouthR[1]), LAYOUT_BOUNDS.mouthWidth)) return 'mouth-width';
  if (Math.abs(nose[0]) > LAYOUT_BOUNDS.maxSideways || Math.abs(mouth[0]) > LAYOUT_BOUNDS.maxSideways) return 'sideways';
  return null;
}

/** True when `landmarks` pass every check of `layoutFault`. */
export function plausibleLayout(landmarks: ArrayLike<number>): boolean {
  return layoutFault(landmarks) === null;
}
