/**
 * Drawing the mirror's overlay: the face box, the face-mesh landmarks and the head-pose axes,
 * on a canvas the size of the camera's picture (video px). The page mirrors the canvas with
 * the video (CSS), so everything here is drawn unmirrored.
 */
import { LANDMARK } from '../inference/face-signals.ts';
import type { MirrorFace } from './faces.ts';

/** A 2-D point or direction, video px. */
export interface Point {
  x: number;
  y: number;
}

/** The head's axes as seen in the picture: unit 3-D directions projected on the image (x, y only). */
export interface PoseAxes {
  /** Where the axes start: the nose tip (landmark 1). */
  origin: Point;
  /** Towards the subject's left cheek (234 → 454). */
  x: Point;
  /** Down the face (forehead 10 → chin 152). */
  y: Point;
  /** The face's normal (x × y), away from the camera for a frontal face; drawn reversed, out of the face. */
  z: Point;
}

type Vec = [number, number, number];

function at(points: ArrayLike<number>, i: number): Vec {
  return [points[i * 3]!, points[i * 3 + 1]!, points[i * 3 + 2]!];
}

function unit(a: Vec): Vec {
  const n = Math.hypot(a[0], a[1], a[2]) || 1;
  return [a[0] / n, a[1] / n, a[2] / n];
}

/**
 * The head's axes from 468 (x, y, z) landmarks, built as `headPose` (face-signals.ts) builds
 * them, so the drawing and the pose figures agree: y from forehead to chin, x from cheek to
 * cheek, z = x × y, x re-orthogonalised. Each returned direction is the unit 3-D axis's image
 * part (length in [0, 1]: shorter the more it points at or away from the camera). Pure.
 */
export function poseAxes(landmarks: ArrayLike<number>): PoseAxes {
  const sub = (a: Vec, b: Vec): Vec => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
  const cross = (a: Vec, b: Vec): Vec => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
  const y = unit(sub(at(landmarks, LANDMARK.chin), at(landmarks, LANDMARK.forehead)));
  let x = unit(sub(at(landmarks, LANDMARK.cheekLeft), at(landmarks, LANDMARK.cheekRight)));
  const z = unit(cross(x, y));
  x = cross(y, z);
  const nose = at(landmarks, 1);
  return { origin: { x: nose[0], y: nose[1] }, x: { x: x[0], y: x[1] }, y: { x: y[0], y: y[1] }, z: { x: -z[0], y: -z[1] } };
}

/** The bounding box of (x, y, z) `landmarks`, px. Pure. */
export function landmarkBox(landmarks: ArrayLike<number>): { x: number; y: number; width: number; height: number } {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (let j = 0; j + 1 < landmarks.length; j += 3) {
    x0 = Math.min(x0, landmarks[j]!);
    x1 = Math.max(x1, landmarks[j]!);
    y0 = Math.min(y0, landmarks[j + 1]!);
    y1 = Math.max(y1, landmarks[j + 1]!);
  }
  return x1 >= x0 ? { x: x0, y: y0, width: x1 - x0, height: y1 - y0 } : { x: 0, y: 0, width: 0, height: 0 };
}

/** What to draw besides the box. */
export interface OverlayOptions {
  landmarks: boolean;
  pose: boolean;
  /** The box's colour (the dominant emotion's), CSS. */
  color: string;
}

/** Clears `ctx` (sized to the picture) and draws `faces` on it: the box (the landmarks' extent where there are landmarks, else the face box), then the landmarks and the pose axes as asked. */
export function drawOverlay(ctx: CanvasRenderingContext2D, faces: readonly MirrorFace[], options: OverlayOptions): void {
  const { width, height } = ctx.canvas;
  ctx.clearRect(0, 0, width, height);
  const line = Math.max(2, Math.round(Math.max(width, height) / 400));
  for (const face of faces) {
    const points = face.landmarks;
    const box = points ? landmarkBox(points) : face.box;
    ctx.lineWidth = line;
    ctx.strokeStyle = options.color;
    ctx.strokeRect(box.x, box.y, box.width, box.height);
    if (!points) continue;
    if (options.landmarks) {
      ctx.fillStyle = 'rgba(90, 235, 255, 0.95)';
      const r = Math.max(2, line * 1.2);
      for (let j = 0; j < points.length; j += 3) ctx.fillRect(points[j]! - r / 2, points[j + 1]! - r / 2, r, r);
    }
    if (options.pose) {
      const axes = poseAxes(points);
      const length = box.width * 0.6;
      ctx.lineWidth = line * 1.5;
      for (const [axis, color] of [
        [axes.x, '#e53935'],
        [axes.y, '#43a047'],
        [axes.z, '#1e88e5'],
      ] as const) {
        ctx.strokeStyle = color;
        ctx.beginPath();
        ctx.moveTo(axes.origin.x, axes.origin.y);
        ctx.lineTo(axes.origin.x + axis.x * length, axes.origin.y + axis.y * length);
        ctx.stroke();
      }
    }
  }
}
