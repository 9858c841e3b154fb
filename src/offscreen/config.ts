/**
 * Inference configuration: one typed default object merged with partial overrides
 * (STYLE.md item 6). Every knob that changes results lives here and is reported with
 * every benchmark and evaluation figure.
 */

/** tfjs backend names CallMood can run on; 'auto' picks one at start (see backend.ts). */
export type BackendChoice = 'auto' | 'webgpu' | 'webgl' | 'wasm' | 'cpu';

/** The emotion models `emotionModel` can name (see InferenceConfig.emotionModel). */
export const EMOTION_MODELS = ['human', 'faceapi', 'ensemble', 'callmood'] as const;
export type EmotionModel = (typeof EMOTION_MODELS)[number];

export interface InferenceConfig {
  /**
   * 'callmood': our pipeline (one frame tensor, detection + mesh check per tile, one batched
   * emotion call). 'naive-human': the benchmark baseline of issue #4, a per-tile canvas
   * through `human.detect()` with human's default configuration (all its default models) and
   * its caches off. The baseline needs the extra models of a `--bench` build.
   */
  pipeline: 'callmood' | 'naive-human';
  /** Backend to use; 'auto' = WebGPU on a hardware adapter, else the fastest measured. */
  backend: BackendChoice;
  /** Base URL of the model files (blazeface.json, emotion.json, ...), ending in '/'. */
  modelBaseUrl: string;
  /** Base URL of the tfjs WASM binaries, ending in '/'. */
  wasmBaseUrl: string;
  /** Frames sampled from the tab capture per second (at most; one frame in flight): each sampled frame analyses every visible tile that needs it. */
  targetFps: number;
  /** Tiles are scaled so their longer side is at most this many pixels before detection. */
  maxTileSide: number;
  /** Tiles smaller than this (frame px, shorter side) are not analysed. */
  minTileSide: number;
  /** Minimum blazeface score (0..1) for a face to count. */
  minFaceScore: number;
  /** Run human's face mesh on each detected box as a second check that it is a face. */
  verifyWithMesh: boolean;
  /** Minimum face-mesh confidence (0..1) when `verifyWithMesh` is on (real faces score about 1.0; titles in the no_face clip up to about 0.7). */
  minMeshScore: number;
  /** Faces smaller than this fraction of the tile's shorter side are ignored (0..1). */
  minFaceFraction: number;
  /**
   * Enlargement of BlazeFace's (squared) box before human crops it for the face mesh; it
   * also sets the margin of the face box we crop for emotion. human's default 1.4 is what the
   * mesh expects: on the 230 lfw-expressions photos the mesh check kept 191 faces at 1.4 but
   * only 118 at 1.0 (scores printed by a one-off script; see README "Accuracy").
   */
  detectorScale: number;
  /**
   * Side of the emotion crop relative to the (square) face box human reports, about the
   * box centre: 1 = the box itself, < 1 tighter, > 1 looser.
   */
  emotionCropScale: number;
  /**
   * Area-averaging (antialiased) downscale of the face crop for the gray models ('human',
   * 'callmood'): a face box k or more times the model's input side is cropped to k x the
   * side and k x k blocks are averaged (k = 1..4, see geometry.ts supersampleFactors);
   * false = one bilinear resize, which aliases for large faces.
   */
  emotionAntialias: boolean;
  /**
   * Lighting correction of each gray 64x64 face crop before the emotion model:
   * 'none'; or 'standardize', which rescales the crop to mean 0.5 and standard deviation
   * `lightingTargetStd` (per-image contrast normalisation; clipped to [0, 1]).
   */
  lighting: 'none' | 'standardize';
  /** Target standard deviation (gray level in [0, 1]) of 'standardize'. */
  lightingTargetStd: number;
  /**
   * Emotion model: 'human' (oarriaga big-XCEPTION from @vladmandic/human, 64x64 gray),
   * 'faceapi' (FaceExpressionNet from @vladmandic/face-api, 112x112 RGB), 'ensemble'
   * (p = (1 - w) * human + w * faceapi with w = `faceapiWeight`), or 'callmood' (our own
   * VGG-style CNN trained on FER-2013's training split, 48x48 gray, `models/callmood-emotion.json`;
   * recipe in training/README.md).
   */
  emotionModel: EmotionModel;
  /** Weight w in [0, 1] of face-api's probabilities in the 'ensemble' model. */
  faceapiWeight: number;
  /** Also classify each face crop mirrored left-right and average the two probability vectors. */
  flipAverage: boolean;
  /**
   * In the live pipeline (tracking mode), get flip averaging at half the cost: each tile's
   * face is classified mirrored every other frame instead of twice per frame, and the
   * smoothing averages the two. Still images (evaluation) always get both passes.
   */
  flipAlternate: boolean;
  /**
   * Temperature T of the emotion probabilities (temperature scaling, Guo et al. 2017):
   * p_i <- p_i^(1/T) / sum_j p_j^(1/T), i.e. softmax(logits / T). T > 1 softens, 1 = off.
   */
  temperature: number;
  /**
   * A face must be found in this many consecutive analysed frames of a tile before it counts
   * (until then the tile reads "no face"). The false faces found in the no_face clip's titles
   * come one frame at a time; a real face that appears costs one frame (about 200 ms) more.
   */
  minFaceFrames: number;
  /**
   * Follow each tile's face from frame to frame with the face mesh alone and run the detector
   * only every `redetectMs` (see FaceEmotionAnalyzer.analyse). Needs `verifyWithMesh`.
   */
  trackFaces: boolean;
  /** Most faces reported for one tile that asks for several (a single video showing several people). */
  maxFacesPerTile: number;
  /** A tracked face is detected afresh at least this often (ms), to catch a larger face or drift. */
  redetectMs: number;
  /** A tile whose last detection found no face is detected again after this long (ms); skipped until then. */
  emptyTileRetryMs: number;
  /**
   * A tile is skipped while its pixels stay the same: mean absolute difference of a 16x16
   * gray thumbnail (0..255 units) to the one at its last analysis below this value. 0 = off.
   * Frozen or paused video, a still avatar or a black tile then costs nothing.
   */
  frozenThreshold: number;
  /** An unchanged tile is analysed again after this long anyway (ms). */
  frozenRecheckMs: number;
  /** A participant shows "no face" when no face was found for this long (ms). */
  faceTimeoutMs: number;
  /**
   * Time constant tau (ms) of the exponential smoothing of each participant's probabilities:
   * p <- p + (1 - exp(-dt / tau)) * (x - p). See smoothing.ts.
   */
  smoothingTauMs: number;
  /** Warm-up inferences per candidate backend before timing it (auto selection). */
  warmupRuns: number;
  /** Timed inferences per candidate backend (auto selection); the median is compared. */
  measureRuns: number;
  /** A candidate whose first (warm-up) inference takes longer than this (ms) is dropped. */
  warmupBudgetMs: number;
}

/** Shipped defaults. */
export const DEFAULT_CONFIG: InferenceConfig = {
  pipeline: 'callmood',
  backend: 'auto',
  modelBaseUrl: 'models/',
  wasmBaseUrl: 'wasm/',
  targetFps: 10,
  maxTileSide: 320,
  minTileSide: 40,
  minFaceScore: 0.5,
  verifyWithMesh: true,
  minMeshScore: 0.9,
  minFaceFraction: 0.08,
  detectorScale: 1.4,
  emotionCropScale: 1,
  // Round 4 (C10): the area-averaging downscale scored 0.4 below plain bilinear (1 LFW-A photo).
  emotionAntialias: false,
  // Rounds 3-4 of the protocol: our own network (models/callmood-emotion.json, training/; round 4's
  // distilled weights) won on the choosing halves (score 56.7 against 54.3 for human's model with
  // flips) at half the cost.
  emotionModel: 'callmood',
  faceapiWeight: 0.5,
  lighting: 'none',
  lightingTargetStd: 0.25,
  // Chosen by bench/ACCURACY-PROTOCOL.md (npm run bench:accuracy; bench/results/accuracy.json):
  // with our network, flip averaging scored 0.9 below none at twice the cost (C9 vs C8), and T
  // was fitted on FER-A (ECE on FER-B 0.027 -> 0.026).
  flipAverage: false,
  flipAlternate: true,
  temperature: 0.99,
  minFaceFrames: 2,
  trackFaces: true,
  redetectMs: 2000,
  maxFacesPerTile: 6,
  emptyTileRetryMs: 400,
  frozenThreshold: 0.5,
  frozenRecheckMs: 3000,
  faceTimeoutMs: 1000,
  smoothingTauMs: 600,
  warmupRuns: 2,
  measureRuns: 3,
  warmupBudgetMs: 2500,
};

/** Returns DEFAULT_CONFIG merged with `overrides` (undefined values are ignored). */
export function makeConfig(overrides: Partial<InferenceConfig> = {}): InferenceConfig {
  const out: InferenceConfig = { ...DEFAULT_CONFIG };
  for (const [k, v] of Object.entries(overrides)) {
    if (v !== undefined) (out as unknown as Record<string, unknown>)[k] = v;
  }
  return out;
}

/**
 * Keeps the entries of `value` that are InferenceConfig keys with a value of the default's
 * type (string, number or boolean; `emotionModel` must also be one of EMOTION_MODELS);
 * everything else is dropped and listed in `dropped`.
 * Used for developer overrides read from storage, which may be stale or corrupt.
 */
export function sanitizeOverrides(value: unknown): { overrides: Partial<InferenceConfig>; dropped: string[] } {
  const overrides: Record<string, unknown> = {};
  const dropped: string[] = [];
  if (typeof value !== 'object' || value === null) return { overrides: {}, dropped: value === undefined ? [] : ['(not an object)'] };
  for (const [k, v] of Object.entries(value)) {
    if (k === 'emotionModel' && !(EMOTION_MODELS as readonly unknown[]).includes(v)) dropped.push(k);
    else if (k in DEFAULT_CONFIG && typeof v === typeof (DEFAULT_CONFIG as unknown as Record<string, unknown>)[k]) overrides[k] = v;
    else dropped.push(k);
  }
  return { overrides: overrides as Partial<InferenceConfig>, dropped };
}
