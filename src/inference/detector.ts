/**
 * The detector stage: MediaPipe BlazeFace as packaged by @vladmandic/human (`blazeface.json`),
 * each box checked by human's face mesh (`facemesh.json`; its confidence must reach
 * `mesh.minScore`: BlazeFace alone scored animated titles and clouds up to 0.55, as high as a
 * real face half hidden by a hand, while the mesh gives real faces about 1.0). Run through
 * `human.detect()` with every cache off (`skipFrames: 0`, `skipTime: 0`,
 * `cacheSensitivity: 0`), so each call depends on its input alone: human's caches keep
 * per-face state that assumes one video stream, and with several tiles through one instance
 * they could hand one tile another tile's result.
 */
import type { Config as HumanConfig, Human } from '@vladmandic/human';
import type { Rect } from '../shared/types.ts';
import type { InferenceConfig } from './config.ts';
import type { TileTensor } from './crops.ts';
import type { DetectedFace } from './face-tracker.ts';
import { iou, pixelBox, squareWindows } from './geometry.ts';

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
        minConfidence: Math.max(0.01, mesh.verify ? Math.min(detector.minFaceScore, mesh.minScore) : detector.minFaceScore),
        scale: detector.boxScale,
        return: false,
      },
      mesh: { enabled: mesh.verify, modelPath: 'facemesh.json', keepInvalid: false },
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

/**
 * The largest of `detections` first, at most `max`, the same face found twice (IoU > 0.5:
 * overlapping windows, or the detector) counted once. Pure.
 */
export function keepLargest<T extends { box: Rect }>(detections: readonly T[], max: number): T[] {
  const sorted = [...detections].sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height);
  const kept: T[] = [];
  for (const d of sorted) if (kept.length < max && !kept.some((k) => iou(k.box, d.box) > 0.5)) kept.push(d);
  return kept;
}

/**
 * Detects up to `maxFaces` faces in `tile`. One window (the whole tile) for a one-person tile;
 * a multi-person tile is searched in overlapping square windows, since the detector squeezes
 * its input to a square and a wide picture squeezed that much loses its smaller faces. Each
 * window is scaled so its longer side is at most `detector.maxInputSide`.
 * @returns the kept faces (see keepLargest), the time spent in human.detect, ms, and whether
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
      const t = performance.now();
      const result = await human.detect(input);
      ms += performance.now() - t;
      for (const f of result.face ?? []) {
        if (f.boxScore < detector.minFaceScore || (mesh.verify && f.faceScore < mesh.minScore)) continue;
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
