/**
 * The detector stage: MediaPipe BlazeFace as packaged by @vladmandic/human (`blazeface.json`),
 * each box checked by human's face mesh (`facemesh.json`; its confidence must reach
 * `mesh.minScore`: BlazeFace alone scored animated titles and clouds up to 0.55, as high as a
 * real face half hidden by a hand, while the mesh gives real faces about 1.0). A face the mesh
 * rejects may get a second chance (`mesh.refitMinScore`, `mesh.rescueScale`,
 * `detector.confirmBelowScore`; chosen and measured in docs/detection.md). Run through
 * `human.detect()` with every cache off (`skipFrames: 0`, `skipTime: 0`,
 * `cacheSensitivity: 0`), so each call depends on its input alone: human's caches keep
 * per-face state that assumes one video stream, and with several tiles through one instance
 * they could hand one tile another tile's result.
 */
import type { Config as HumanConfig, Human } from '@vladmandic/human';
import type { Rect } from '../shared/types.ts';
import type { InferenceConfig } from './config.ts';
import type { TileTensor } from './crops.ts';
import { trackFromDetection, type DetectedFace } from './face-tracker.ts';
import { plausibleLayout } from './face-layout.ts';
import { iou, overlapOfSmaller, pixelBox, squareWindows } from './geometry.ts';
import { fitMeshes, landmarkBounds, MESH_INPUT, MESH_POINTS, type MeshFit } from './mesh.ts';

/** human's configuration for detection only: BlazeFace (+ mesh check), nothing else, every cache off. */
export function humanConfig(config: InferenceConfig, backend: string): Partial<HumanConfig> {
  const { detector, mesh } = config;
  return {
    backend: backend as HumanConfig['backend'],
    modelBasePath: config.models.baseUrl,
    wasmPath: config.models.wasmBaseUrl,
    wasmPlatformFetch: false,
    debug: false,
    async: true,
    warmup: 'none',
    cacheModels: false,
    cacheSensitivity: 0,
    skipAllowed: false,
    filter: { enabled: false, equalization: false, flip: false },
    face: {
      enabled: true,
      detector: {
        modelPath: 'blazeface.json',
        rotation: false,
        maxDetected: Math.max(3, detector.maxFacesPerTile),
        skipFrames: 0,
        skipTime: 0,
        // human drops boxes and meshes below this one threshold; ours are applied below.
        // (human reads 0 as "unset" and then rejects every mesh, hence the floor of 0.01.)
        minConfidence: Math.max(0.01, mesh.verify ? Math.min(detector.minFaceScore, mesh.minScore, mesh.refitMinScore) : detector.minFaceScore),
        scale: detector.boxScale,
        return: false,
      },
      // keepInvalid: a face the mesh rejects still comes back (BlazeFace's box and its 6
      // keypoints) when `mesh.rescueScale` may give it a second chance.
      mesh: { enabled: mesh.verify, modelPath: 'facemesh.json', keepInvalid: mesh.verify && mesh.rescueScale > 0 },
      iris: { enabled: false },
      emotion: { enabled: false },
      description: { enabled: false },
      antispoof: { enabled: false },
      liveness: { enabled: false },
      attention: { enabled: false },
    },
    body: { enabled: false },
    hand: { enabled: false },
    object: { enabled: false },
    gesture: { enabled: false },
    segmentation: { enabled: false },
  };
}

/** A face the detector found in a tile. */
export interface Detection {
  /** human's result, in detector-input px of `window`. */
  face: DetectedFace;
  /** The window of the tile it was found in, tile px. */
  window: Rect;
  /** Detector px per tile px of that window. */
  scale: number;
  /** The face box, tile px. */
  box: Rect;
}

/** Two face boxes of one tile are one face when their IoU is above this (see `sameFace`). */
export const SAME_FACE_IOU = 0.5;

/**
 * ...or when at least this share of the smaller box lies inside the larger (see `sameFace`).
 * Boxes of two real faces side by side share at most about 0.3 of the smaller one: a face
 * box is the face enlarged `detector.boxScale` (1.4x), so two faces that touch overlap by
 * their margins only, (1.4 - 1) / 1.4 of a side. A face cut by a window's edge lies wholly
 * inside the face's whole box (share 1.0, IoU 0.43-0.48, in all 24 frames of
 * single_face.webm; docs/analyse.md).
 */
export const SAME_FACE_CONTAINED = 0.6;

/**
 * Whether two face boxes of one tile (same pixel space) are the same face: IoU above
 * SAME_FACE_IOU (the detector's near-copies), or at least SAME_FACE_CONTAINED of the smaller
 * box inside the larger (a face that straddles the edge of one of a multi-person tile's
 * square windows is found whole in one window and cut by the edge in the next, its box
 * clipped there: nested in the whole one, with an IoU as low as the ratio of their areas).
 * Pure.
 */
export function sameFace(a: Rect, b: Rect): boolean {
  return iou(a, b) > SAME_FACE_IOU || overlapOfSmaller(a, b) >= SAME_FACE_CONTAINED;
}

/**
 * The largest of `detections` first, at most `max`, each face counted once: a detection that
 * is the same face (`sameFace`) as a larger one kept before it is dropped (overlapping
 * windows, or the detector's near-copies). Pure.
 */
export function keepLargest<T extends { box: Rect }>(detections: readonly T[], max: number): T[] {
  const sorted = [...detections].sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height);
  const kept: T[] = [];
  for (const d of sorted) if (kept.length < max && !kept.some((k) => sameFace(k.box, d.box))) kept.push(d);
  return kept;
}

/**
 * Whether a face whose first mesh fit scored `faceScore` gets a second fit on its re-centred
 * box (`mesh.refitMinScore` <= score < `mesh.minScore`). Pure.
 */
export function needsRefit(faceScore: number, mesh: InferenceConfig['mesh']): boolean {
  return mesh.verify && faceScore >= mesh.refitMinScore && faceScore < mesh.minScore;
}

/**
 * A second fit's landmarks (tile px) as human gives a face's mesh: x and y in detector px of
 * `window` (tile px x `scale`), z in crop px of the 192-px mesh input for a crop of side
 * `cropSide` tile px. Pure.
 */
function fitToDetector(fit: MeshFit, window: Rect, scale: number, cropSide: number): [number, number, number][] {
  const zToHuman = MESH_INPUT / cropSide;
  const mesh: [number, number, number][] = [];
  for (let i = 0; i < MESH_POINTS; i++) mesh.push([(fit.landmarks[i * 3]! - window.x) * scale, (fit.landmarks[i * 3 + 1]! - window.y) * scale, fit.landmarks[i * 3 + 2]! * zToHuman]);
  return mesh;
}

/**
 * `face` (found in `window`, detector px = tile px x `scale`) rebuilt from a second mesh `fit`
 * of its re-centred crop box (`crop`, tile px): the fit's confidence and landmarks (mapped to
 * detector px; z in human's units, crop px of the 192-px mesh input), its crop side as
 * `size`, and a box about the new landmarks with the proportions the first box had about the
 * first landmarks, clamped to the `tw` x `th` detector input. Pure.
 */
export function refittedFace(
  face: DetectedFace & { box: readonly [number, number, number, number] },
  fit: MeshFit,
  crop: Rect,
  window: Rect,
  scale: number,
  tw: number,
  th: number,
): { faceScore: number; mesh: [number, number, number][]; size: [number, number]; box: [number, number, number, number] } {
  const mesh = fitToDetector(fit, window, scale, crop.width);
  const first = landmarkBounds(face.mesh.flatMap((p) => [p[0] ?? NaN, p[1] ?? NaN, 0]), 0, face.mesh.length);
  const now = landmarkBounds(mesh.flat(), 0, MESH_POINTS);
  const rx = face.box[2] / Math.max(1e-6, first.x1 - first.x0);
  const ry = face.box[3] / Math.max(1e-6, first.y1 - first.y0);
  const w = rx * (now.x1 - now.x0);
  const h = ry * (now.y1 - now.y0);
  const side = crop.width * scale;
  return { faceScore: fit.confidence, mesh, size: [side, side], box: clampedBox((now.x0 + now.x1) / 2, (now.y0 + now.y1) / 2, w, h, tw, th) };
}

/** A `w` x `h` box centred on (cx, cy), clamped to [0, tw] x [0, th], as human's [x, y, width, height]. Pure. */
function clampedBox(cx: number, cy: number, w: number, h: number, tw: number, th: number): [number, number, number, number] {
  const x0 = Math.max(0, cx - w / 2);
  const y0 = Math.max(0, cy - h / 2);
  return [x0, y0, Math.max(0, Math.min(tw, cx + w / 2) - x0), Math.max(0, Math.min(th, cy + h / 2) - y0)];
}

/**
 * The crop box (tile px, square, unclipped) of a rescue fit: the centre of human's box for
 * `face` (`boxRaw`, normalised to the `tw` x `th` detector input of `window`), side
 * `rescueScale` / `boxScale` times human's crop side (`size`, detector px). Pure.
 */
export function rescueBox(face: { boxRaw: readonly number[]; size: readonly number[] }, window: Rect, scale: number, tw: number, th: number, boxScale: number, rescueScale: number): Rect {
  const cx = window.x + ((face.boxRaw[0]! + face.boxRaw[2]! / 2) * tw) / scale;
  const cy = window.y + ((face.boxRaw[1]! + face.boxRaw[3]! / 2) * th) / scale;
  const side = (Math.max(face.size[0]!, face.size[1]!) * rescueScale) / boxScale / scale;
  return { x: cx - side / 2, y: cy - side / 2, width: side, height: side };
}

/**
 * The face a rescue `fit` gives (see `mesh.rescueScale`): its confidence, its landmarks mapped
 * to detector px of `window` (z in human's units: crop px of the 192-px mesh input, for a
 * crop of side `side` detector px), and the `side` x `side` box (human's `boxScale` crop)
 * centred on the landmarks' extent, clamped to the `tw` x `th` detector input. Pure.
 */
export function rescuedFace(fit: MeshFit, window: Rect, scale: number, side: number, tw: number, th: number): { faceScore: number; mesh: [number, number, number][]; size: [number, number]; box: [number, number, number, number] } {
  const mesh = fitToDetector(fit, window, scale, side / scale);
  const b = landmarkBounds(mesh.flat(), 0, MESH_POINTS);
  return { faceScore: fit.confidence, mesh, size: [side, side], box: clampedBox((b.x0 + b.x1) / 2, (b.y0 + b.y1) / 2, side, side, tw, th) };
}

/**
 * Detects up to `maxFaces` faces in `tile`. One window (the whole tile) for a one-person tile;
 * a multi-person tile is searched in overlapping square windows, since the detector squeezes
 * its input to a square and a wide picture squeezed that much loses its smaller faces. Each
 * window is scaled so its longer side is at most `detector.maxInputSide`. A box whose mesh
 * fit is under `mesh.minScore` is re-fitted on its re-centred box (`mesh.refitMinScore`) and
 * then on a wider crop (`mesh.rescueScale`) where those are on; a face with a weak box is
 * confirmed on its re-centred box (`detector.confirmBelowScore`).
 * @returns the kept faces (see keepLargest), the time spent in human.detect and the second
 *   fits, ms, and whether
 *   a face passed every check but the size (`detector.minFaceFraction`): too small to read.
 */
export async function detectFaces(human: Human, tile: TileTensor, maxFaces: number, config: InferenceConfig): Promise<{ faces: Detection[]; ms: number; smallFace: boolean }> {
  const { detector, mesh } = config;
  const tf = human.tf;
  const found: Detection[] = [];
  let ms = 0;
  let smallFace = false;
  const whole = { x: 0, y: 0, width: tile.width, height: tile.height };
  for (const w of maxFaces > 1 ? squareWindows(whole) : [whole]) {
    const scale = Math.min(1, detector.maxInputSide / Math.max(w.width, w.height));
    const tw = Math.max(1, Math.round(w.width * scale));
    const th = Math.max(1, Math.round(w.height * scale));
    const input = tf.image.cropAndResize(tile.frame, [pixelBox(w, tile.width, tile.height)], [0], [th, tw]);
    try {
      // human reads its configuration on every call: how many boxes it meshes in this tile.
      human.config.face.detector!.maxDetected = maxFaces > 1 ? Math.max(3, detector.maxFacesPerTile) : detector.singleFaceBoxes;
      const t = performance.now();
      const result = await human.detect(input);
      ms += performance.now() - t;
      for (let f of result.face ?? []) {
        if (f.boxScore < detector.minFaceScore) continue;
        if (mesh.verify && f.faceScore < mesh.minScore) {
          let rescued = false;
          if (needsRefit(f.faceScore, mesh) && f.mesh.length >= MESH_POINTS) {
            // Second chance: the mesh again on the box re-centred on the first fit's landmarks.
            const track = trackFromDetection(f, w, scale, { width: tile.width, height: tile.height });
            if (track) {
              const t = performance.now();
              const [fit] = await fitMeshes(human, [{ tile, box: track.box }]);
              ms += performance.now() - t;
              if (fit && fit.confidence >= mesh.minScore && (!mesh.verifyLayout || plausibleLayout(fit.landmarks))) {
                f = { ...f, ...refittedFace(f, fit, track.box, w, scale, tw, th) };
                rescued = true;
              }
            }
          }
          if (!rescued && mesh.rescueScale > 0) {
            // Second chance on a wider crop of BlazeFace's box.
            const t = performance.now();
            const [fit] = await fitMeshes(human, [{ tile, box: rescueBox(f, w, scale, tw, th, detector.boxScale, mesh.rescueScale) }]);
            ms += performance.now() - t;
            if (fit && fit.confidence >= mesh.minScore && (!mesh.verifyLayout || plausibleLayout(fit.landmarks))) {
              f = { ...f, ...rescuedFace(fit, w, scale, Math.max(f.size[0], f.size[1]), tw, th) };
              rescued = true;
            }
          }
          if (!rescued) continue;
        }
        if (mesh.verify && f.boxScore < detector.confirmBelowScore) {
          // Confirmation: the mesh on the box re-centred on this face's landmarks.
          const track = trackFromDetection(f, w, scale, { width: tile.width, height: tile.height });
          if (!track) continue;
          const t = performance.now();
          const [fit] = await fitMeshes(human, [{ tile, box: track.box }]);
          ms += performance.now() - t;
          if (!fit || fit.confidence < mesh.minScore) continue;
        }
        if (Math.min(f.box[2], f.box[3]) < detector.minFaceFraction * Math.min(tw, th)) {
          smallFace = true;
          continue;
        }
        const [bx, by, bw, bh] = f.box;
        found.push({ face: f, window: w, scale, box: { x: w.x + bx / scale, y: w.y + by / scale, width: bw / scale, height: bh / scale } });
      }
    } finally {
      input.dispose();
    }
  }
  return { faces: keepLargest(found, maxFaces), ms, smallFace: smallFace && found.length === 0 };
}
