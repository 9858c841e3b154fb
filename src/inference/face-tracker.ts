/**
 * The face tracker's pure core: per tile key, the faces followed from call to call and the
 * schedule of detections. A tracked face is re-fitted by the face mesh alone (mesh.ts) and
 * detected afresh every `redetectMs` (and REDETECT_MIN_ANALYSES analyses), at most MAX_REDETECTS_PER_FRAME periodic re-detections
 * per frame, the longest-waiting first, so tiles tracked since the same frame do not all hit
 * the detector together (a latency spike). A tile without a face is retried after
 * `emptyTileRetryMs`. This is how MediaPipe's face mesh pipeline tracks faces (detector for
 * the first frame, landmarks give the next region). Times are performance.now() ms; boxes
 * are in tile px.
 */
import type { Rect } from '../shared/types.ts';
import type { InferenceConfig } from './config.ts';
import { mapRect } from './geometry.ts';
import { landmarkBounds, MESH_POINTS, type MeshFit } from './mesh.ts';

/**
 * A tile without a face waits at least this many frames before its next detection, besides
 * `emptyTileRetryMs`: on a slow machine, where one frame already takes longer than that, it
 * would otherwise be detected every frame, exactly when time is shortest.
 */
export const EMPTY_RETRY_MIN_FRAMES = 3;

/** Most periodic re-detections of tracked tiles per frame (new, empty and lost tiles come on top). */
export const MAX_REDETECTS_PER_FRAME = 1;

/**
 * A tracked tile is due for its periodic re-detection only after this many analyses since its
 * last detection, besides `redetectMs`: drift builds up per mesh re-fit, not per second. In a
 * large call a tile is analysed only now and then (the frame budget, engine/schedule.ts), so
 * after `redetectMs` alone nearly every analysis would be a detection, several times the cost.
 */
export const REDETECT_MIN_ANALYSES = 5;

/** A face followed from call to call. */
export interface FaceTrack {
  /** Square face box in tile px, not clipped to the tile (the mesh crop). */
  box: Rect;
  /** The tile image's size when `box` was fitted: the box scales with the image. */
  imageSize: { width: number; height: number };
  /** BlazeFace score at the last detection, in [0, 1]. */
  score: number;
  /** Face-mesh confidence at the last fit, in [0, 1]. */
  meshScore: number;
  /** Box side / largest side of the landmarks' extent, fixed at detection (human's box margin). */
  sideToExtent: number;
}

/** Tracking state of one tile key. */
export interface TileState {
  /** The tile's faces (largest first at detection); empty when the last detection found none. */
  tracks: FaceTrack[];
  /** performance.now() of the tile's last detection, ms. */
  lastDetectAt: number;
  /** Calls (frames) since that detection. */
  framesSinceDetect: number;
}

/** What one of human's face results gives the tracker (see `trackFromDetection`). */
export interface DetectedFace {
  /** Detector box size in detector-input px (enlarged by `boxScale`, squared by human: side = max). */
  size: [number, number];
  /** 468 landmarks in detector-input px. */
  mesh: readonly (readonly (number | undefined)[])[];
  boxScore: number;
  faceScore: number;
}

/**
 * A track from a face detected in `window` (tile px) of a tile image of `imageSize`, scaled
 * by `scale` for the detector (detector px = tile px x scale): human's box side re-centred on
 * the centre of the landmarks' extent, unclipped. Null when the face has no landmarks.
 */
export function trackFromDetection(face: DetectedFace, window: Rect, scale: number, imageSize: { width: number; height: number }): FaceTrack | null {
  if (face.mesh.length < MESH_POINTS) return null;
  const { x0, y0, x1, y1 } = landmarkBounds(face.mesh.flatMap((p) => [p[0] ?? NaN, p[1] ?? NaN, 0]), 0, face.mesh.length);
  const side = Math.max(face.size[0], face.size[1]) / scale;
  const extent = Math.max(x1 - x0, y1 - y0, 1) / scale;
  const cx = window.x + (x0 + x1) / 2 / scale;
  const cy = window.y + (y0 + y1) / 2 / scale;
  return { box: { x: cx - side / 2, y: cy - side / 2, width: side, height: side }, imageSize, score: face.boxScore, meshScore: face.faceScore, sideToExtent: side / extent };
}

/** A track's box carried into a tile image of `size` (scaled with the image when it changed size). */
export function carryBox(track: FaceTrack, size: { width: number; height: number }): Rect {
  const { width, height } = track.imageSize;
  return mapRect(track.box, { x: 0, y: 0, width, height }, { x: 0, y: 0, ...size });
}

/**
 * Updates `track` from a mesh fit of its box in an image of `size`.
 * @returns the new (unclipped) box, or null when the fit's confidence is under `minScore` (the face was lost).
 */
export function applyFit(track: FaceTrack, fit: MeshFit, size: { width: number; height: number }, minScore: number): Rect | null {
  if (fit.confidence < minScore) return null;
  const side = track.sideToExtent * fit.extent;
  const box = { x: fit.center.x - side / 2, y: fit.center.y - side / 2, width: side, height: side };
  Object.assign(track, { box, imageSize: size, meshScore: fit.confidence });
  return box;
}

/** A frame's plan for the tiles that need work, by index into the caller's tile list. */
export interface FramePlan {
  /** Tiles to run through the detector now. */
  detect: Set<number>;
  /** Tracks to re-fit by mesh now (tiles not being detected). */
  track: { index: number; track: FaceTrack }[];
  /** Tiles skipped: no face at their last detection, retried later. */
  deferred: Set<number>;
}

/**
 * Plans one frame for `tiles` (index and key of each tile to analyse) from `states` at `now`:
 * tracked tiles are re-fitted, one due for its periodic re-detection waits its turn; a tile
 * with no face is deferred until `emptyTileRetryMs` and EMPTY_RETRY_MIN_FRAMES have passed;
 * a new tile is detected. Counts a frame on each tile's state.
 */
export function planFrame(states: ReadonlyMap<string, TileState>, tiles: readonly { index: number; key: string }[], now: number, tracking: InferenceConfig['tracking']): FramePlan {
  const plan: FramePlan = { detect: new Set(), track: [], deferred: new Set() };
  const due: { index: number; since: number }[] = [];
  const tracked: { index: number; track: FaceTrack }[] = [];
  for (const { index, key } of tiles) {
    const state = states.get(key);
    if (state) state.framesSinceDetect++;
    if (state && state.tracks.length > 0) {
      if (now - state.lastDetectAt >= tracking.redetectMs && state.framesSinceDetect >= REDETECT_MIN_ANALYSES) due.push({ index, since: state.lastDetectAt });
      for (const track of state.tracks) tracked.push({ index, track });
    } else if (state && (now - state.lastDetectAt < tracking.emptyTileRetryMs || state.framesSinceDetect < EMPTY_RETRY_MIN_FRAMES)) {
      plan.deferred.add(index);
    } else {
      plan.detect.add(index);
    }
  }
  const slots = Math.max(0, MAX_REDETECTS_PER_FRAME - plan.detect.size);
  for (const d of due.sort((a, b) => a.since - b.since).slice(0, slots)) plan.detect.add(d.index);
  plan.track = tracked.filter((t) => !plan.detect.has(t.index));
  return plan;
}
