/**
 * The face-mesh stage: human's face mesh (MediaPipe FaceMesh, `facemesh.json` from the
 * @vladmandic/human package; 192x192 RGB in [0, 1] in, 468 landmarks and a face confidence
 * out) re-fits square face boxes, all of a frame in one batch with one readback. Its
 * confidence confirms a face is still there; its landmarks re-centre the box, exactly as
 * human re-centres a detector box.
 */
import type { Human, Tensor } from '@vladmandic/human';
import { cropBoxes, type TileBox } from './crops.ts';
import type { Rect } from '../shared/types.ts';
import { landmarkSignals, type LandmarkSignals } from './face-signals.ts';

/** Input side of human's face mesh model, px. */
export const MESH_INPUT = 192;

/** Landmarks per face of human's face mesh (x, y, z each). */
export const MESH_POINTS = 468;

/** Bounds of a set of landmarks, in the landmarks' units. */
export interface LandmarkBounds {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/**
 * Bounds of `count` landmarks stored flat as (x, y, z) triples from landmark `start` of
 * `values` (any units; NaN coordinates are ignored).
 */
export function landmarkBounds(values: ArrayLike<number>, start: number, count: number): LandmarkBounds {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (let j = start * 3; j < (start + count) * 3; j += 3) {
    const x = values[j]!;
    const y = values[j + 1]!;
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  }
  return { x0, y0, x1, y1 };
}

/** One box re-fitted by the mesh, in the box's pixel space (tile px). */
export interface MeshFit {
  /** Face confidence in [0, 1]. */
  confidence: number;
  /** Centre of the landmarks' extent. */
  center: { x: number; y: number };
  /** Largest side of the landmarks' extent. */
  extent: number;
  /** Head pose, eye openness and mouth opening from the fitted landmarks (face-signals.ts). */
  signals: LandmarkSignals;
  /** The 468 landmarks as flat (x, y, z) triples in tile px on every axis (z scaled as x). */
  landmarks: Float32Array;
}

/**
 * Landmarks `offset`..`offset + count` of `points` (flat x, y, z in crop px of a `size` px crop)
 * mapped into tile px through the crop `box`: x and y by the box's scale and origin, z by the
 * x scale. A new array of `count` triples.
 */
export function cropToTile(points: ArrayLike<number>, offset: number, count: number, box: Rect, size: number): Float32Array {
  const out = new Float32Array(count * 3);
  const sx = box.width / size;
  const sy = box.height / size;
  for (let i = 0; i < count; i++) {
    const j = (offset + i) * 3;
    out[i * 3] = box.x + points[j]! * sx;
    out[i * 3 + 1] = box.y + points[j + 1]! * sy;
    out[i * 3 + 2] = points[j + 2]! * sx;
  }
  return out;
}

/**
 * Runs the face mesh on square `items` (boxes of tile tensors), one batch, one readback.
 * Pre-processing is human's `cutAndResize`: crop + bilinear resize to 192, x / 255.
 * @throws Error when the mesh model is not loaded or gives unexpected outputs.
 */
export async function fitMeshes(human: Human, items: readonly TileBox[]): Promise<MeshFit[]> {
  const tf = human.tf;
  const mesh = human.models.models.facemesh;
  if (!mesh) throw new Error('face mesh model is not loaded');
  const size = MESH_INPUT;
  const outputs: Tensor[] = tf.tidy(() => mesh.execute(tf.div(cropBoxes(tf, items, size), 255)) as Tensor[]);
  try {
    const confidenceT = outputs.find((t) => t.shape[t.shape.length - 1] === 1);
    const meshT = outputs.find((t) => t.shape[t.shape.length - 1] === MESH_POINTS * 3);
    if (!confidenceT || !meshT) throw new Error('face mesh model gave unexpected outputs');
    const [confidence, points] = (await Promise.all([confidenceT.data(), meshT.data()])) as Float32Array[];
    return items.map(({ box: b }, k) => {
      // Landmarks are in crop px (0..size); the crop is box b.
      const { x0, y0, x1, y1 } = landmarkBounds(points!, k * MESH_POINTS, MESH_POINTS);
      const sx = b.width / size;
      const sy = b.height / size;
      // Crop px on all three axes (the raw output's z is in the same units), as landmarkSignals expects.
      const signals = landmarkSignals(points!, k * MESH_POINTS);
      return { confidence: confidence![k]!, center: { x: b.x + ((x0 + x1) / 2) * sx, y: b.y + ((y0 + y1) / 2) * sy }, extent: Math.max((x1 - x0) * sx, (y1 - y0) * sy), signals, landmarks: cropToTile(points!, k * MESH_POINTS, MESH_POINTS, b, size) };
    });
  } finally {
    tf.dispose(outputs);
  }
}
