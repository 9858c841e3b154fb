/**
 * Inference configuration, nested by stage (detector, mesh, tracking, frozen, emotion, live,
 * backend, models) and validated by one zod schema. Every knob that changes results lives
 * here and is reported with every benchmark and evaluation figure. Overrides are deep-partial:
 * `makeConfig({ emotion: { temperature: 1 } })` changes that one knob.
 */
import { z } from 'zod';
import { ALIGN_MODES } from './alignment.ts';
import { EMOTIONS } from '../shared/emotions.ts';

/** tfjs backend names CallMood can run on; 'auto' picks one at start (see backend.ts). */
export const BACKEND_CHOICES = ['auto', 'webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

const probability = z.number().min(0).max(1);
const ms = (max: number) => z.number().min(0).max(max);

/** The schema of the whole configuration; each knob's unit and range is in its description. */
export const InferenceConfigSchema = z.object({
  /**
   * Which analyzer runs the tiles: 'callmood' (ours) in every build; other names only where a
   * build registers them (the benchmark build's naive baseline, see backend.ts).
   */
  analyzer: z.string().min(1),
  models: z.object({
    /** Base URL of the model files (blazeface.json, facemesh.json, callmood-emotion.json), ending in '/'. */
    baseUrl: z.string(),
    /** Base URL of the tfjs WASM binaries, ending in '/'. */
    wasmBaseUrl: z.string(),
  }),
  backend: z.object({
    /** Backend to use; 'auto' = WebGPU on a hardware adapter, else the fastest measured at warm-up. */
    choice: z.enum(BACKEND_CHOICES),
    /** Warm-up inferences per candidate backend before timing it (1..10). */
    warmupRuns: z.number().int().min(1).max(10),
    /** Timed inferences per candidate backend; the median is compared (1..20). */
    measureRuns: z.number().int().min(1).max(20),
    /** A candidate whose first (warm-up) inference takes longer than this is dropped, ms. */
    warmupBudgetMs: ms(60_000),
  }),
  detector: z.object({
    /** Tiles are scaled so their longer side is at most this many pixels before detection (64..1280). */
    maxInputSide: z.number().int().min(64).max(1280),
    /** Tiles whose image is smaller than this (shorter side, px) are not analysed. */
    minTileSide: z.number().min(1).max(1000),
    /** Minimum BlazeFace score for a face to count, in [0, 1]. */
    minFaceScore: probability,
    /** Faces smaller than this fraction of the tile's shorter side are ignored, in [0, 1]. */
    minFaceFraction: probability,
    /**
     * Enlargement of BlazeFace's (squared) box before human crops it for the face mesh; it
     * also sets the margin of the face box cropped for emotion (1..3). human's default 1.4 is
     * what the mesh expects: on the 230 lfw-expressions photos the mesh check kept 191 faces
     * at 1.4 and 118 at 1.0 (docs/accuracy.md).
     */
    boxScale: z.number().min(1).max(3),
    /** Most faces reported for one tile that asks for several (a video showing several people), 1..20. */
    maxFacesPerTile: z.number().int().min(1).max(20),
    /**
     * BlazeFace boxes human checks with the face mesh in a one-person tile, the highest-scoring
     * first (1..20; a tile asking for several faces checks max(3, maxFacesPerTile)). Each box
     * costs one mesh fit, and on pictures without a face weak boxes are many. 6: 2 saved no
     * measurable time (docs/detection.md).
     */
    singleFaceBoxes: z.number().int().min(1).max(20),
    /**
     * A face whose BlazeFace score is under this (in [0, 1]; 0 = none) is kept only when a
     * confirming mesh fit on its box re-centred on its landmarks (the box the tracker fits
     * next, face-tracker.ts) also reaches `mesh.minScore`. 0 (off): confirming every face
     * this way undid the rescue (`mesh.rescueScale`), since a head the 1.4x crop cuts is cut
     * again when re-centred (docs/detection.md).
     */
    confirmBelowScore: probability,
  }),
  mesh: z.object({
    /** Run human's face mesh on each detected box as a second check that it is a face. */
    verify: z.boolean(),
    /**
     * Minimum face-mesh confidence in [0, 1], for a detected face and for a tracked face's
     * re-fit. Real faces score about 1.0; 0.95 (chosen by bench/DETECTION-PROTOCOL.md) drops a
     * face-like patch of the no_face titles that the mesh scores 0.92, which 0.9 kept.
     */
    minScore: probability,
    /**
     * Second chance, mesh confidence in [0, 1]: a face whose first fit
     * scores in [refitMinScore, minScore) is fitted again on its box re-centred on the first
     * fit's landmarks (as the tracker re-fits, face-tracker.ts) and kept when that fit reaches
     * `minScore`. BlazeFace's box is often off-centre on a turned or tilted face, and the mesh
     * scores a real face higher once framed; `minScore` (or anything above it) = off.
     * Under `detector.minFaceScore` it also lowers human's one threshold (humanConfig), so
     * human then meshes weaker boxes too. Off (= minScore): from 0.5 it found 3 more of the 127 half-A
     * photos and one more title false face (docs/detection.md).
     */
    refitMinScore: probability,
    /**
     * Also require a plausible landmark layout (face-layout.ts `plausibleLayout`) of every
     * face kept through a re-fit: eyes level and apart, nose and mouth below and between
     * them in a face's proportions. Off: it rejected none of the false faces measured in
     * docs/detection.md (the mesh fits a face-shaped layout to whatever it is given).
     */
    verifyLayout: z.boolean(),
    /**
     * Second chance on a wider crop, as a box enlargement like `detector.boxScale` (1..3), or
     * 0 = off: a face BlazeFace found (`detector.minFaceScore`) whose mesh fit on the
     * `boxScale` crop scores under `minScore` is fitted again on BlazeFace's box enlarged by
     * this factor instead, and kept when that fit reaches `minScore`; its box keeps the
     * `boxScale` margin about the new landmarks, so the emotion crop and the tracker's crop
     * are as for any face. On the news photos of lfw-expressions the mesh gives most faces it
     * rejects about 0 on the 1.4 crop (a head filling the photo, cut by the crop) and about
     * 1.0 on a wider one (docs/detection.md).
     */
    rescueScale: z.union([z.literal(0), z.number().min(1).max(3)]),
  }),
  tracking: z.object({
    /** Follow each tile's face from frame to frame with the face mesh alone; needs `mesh.verify`. */
    enabled: z.boolean(),
    /** A tracked face is detected afresh at least this often (catches a larger face or drift), ms. */
    redetectMs: ms(3_600_000),
    /** A tile whose last detection found no face is detected again after this long, ms; skipped until then. */
    emptyTileRetryMs: ms(3_600_000),
  }),
  frozen: z.object({
    /**
     * A tile is skipped while its pixels stay the same: mean absolute difference of a 16x16
     * gray thumbnail (0..255 units) to the one at its last analysis below this value; 0 = off.
     */
    threshold: z.number().min(0).max(255),
    /** An unchanged tile is analysed again after this long anyway, ms. */
    recheckMs: ms(3_600_000),
  }),
  emotion: z.object({
    /** Emotion model id from the registry (emotion-models.ts): 'callmood' in every build. */
    model: z.string().min(1),
    /** Side of the emotion crop relative to the (square) face box, about its centre (0.5..2; 1 = the box). */
    cropScale: z.number().min(0.5).max(2),
    /**
     * Area-averaging downscale of the face crop for the gray models: a face box k or more
     * times the input side is cropped to k x the side and k x k blocks averaged (k = 1..4);
     * false = one bilinear resize. Off: it scored 0.4 below plain bilinear on LFW-A.
     */
    antialias: z.boolean(),
    /**
     * Framing of the emotion crop from the face mesh's landmarks (alignment.ts): 'none' = the
     * face box; 'roll' = the box rotated so the eye line is level; 'fer' = levelled, with centre
     * and side set so the eyes fall where they do in FER-2013's crops. Crops without landmarks
     * (mesh off, crop mode) always use the box.
     */
    align: z.enum(ALIGN_MODES),
    /** Lighting correction of each gray crop: 'standardize' rescales it to mean 0.5 and std `lightingTargetStd`. */
    lighting: z.enum(['none', 'standardize']),
    /** Target standard deviation (gray level in [0, 1]) of 'standardize'. */
    lightingTargetStd: z.number().min(0.01).max(1),
    /** Weight w in [0, 1] of the second member of a two-model ensemble (evaluation builds). */
    ensembleWeight: probability,
    /** Also classify each face crop mirrored left-right and average the two probability vectors. */
    flipAverage: z.boolean(),
    /**
     * With `flipAverage`, in the live pipeline: classify each tile's face mirrored every other
     * frame instead of twice per frame; the smoothing averages the two. Still images always get both.
     */
    flipAlternate: z.boolean(),
    /**
     * The cascade's second model ('' = none): a registered single model (emotion-models.ts)
     * that also reads a face where `model` is unsure; its probabilities are mixed in. It loads
     * in the background, so a live analysis starts (and restarts) on `model` alone.
     */
    cascadeModel: z.string(),
    /** `model`'s top probability (after `temperature`) under which the cascade asks `cascadeModel` (0..1.01; above 1 = always). */
    cascadeBelow: z.number().min(0).max(1.01),
    /** ... and only when `model`'s top class is one of these (all seven = any). */
    cascadeClasses: z.array(z.enum(EMOTIONS)).min(1),
    /** Weight w of the second model where it is asked: p = (1 - w) * p_model + w * p_second, in [0, 1]. */
    cascadeWeight: probability,
    /**
     * With a cascade: temperature applied to every face's final probabilities (0.1..10; 1 =
     * off), fitted on the cascade's own output. `temperature` stays the first model's, which
     * `cascadeBelow` reads.
     */
    cascadeTemperature: z.number().min(0.1).max(10),
    /** Temperature T (Guo et al. 2017): p_i <- p_i^(1/T) / sum_j p_j^(1/T); 1 = off (0.1..10). */
    temperature: z.number().min(0.1).max(10),
  }),
  live: z.object({
    /** Frames sampled per second (at most; one frame in flight), 0.5..60. */
    targetFps: z.number().min(0.5).max(60),
    /**
     * Longest side of the one image per tile the frame sources hand the pipeline, px: a
     * larger tile is scaled down to it before any tensor is made (detection runs at
     * `detector.maxInputSide`; the emotion crop and the mesh read this image).
     */
    tileImageMaxSide: z.number().int().min(64).max(4096),
    /**
     * A face must be found in this many consecutive analysed frames of a tile before it counts
     * (1..10). The false faces of the no_face clip's titles come one frame at a time.
     */
    minFaceFrames: z.number().int().min(1).max(10),
    /**
     * A participant shows "no face" when no face was found for this long, ms, and in at least
     * `faceTimeoutAnalyses` analyses of their tile: on a machine too slow for the call, one
     * analysis may take longer than the timeout, and a face is not lost between two analyses.
     */
    faceTimeoutMs: ms(60_000),
    /** See `faceTimeoutMs`: analyses of the tile without a face before it reads "no face" (1..30). */
    faceTimeoutAnalyses: z.number().int().min(1).max(30),
    /** A tile whose picture stays identical this long is a frozen video (its seconds are `frozen` gaps), ms (500..60,000). */
    frozenAfterMs: z.number().min(500).max(60_000),
    /**
     * Time budget of one frame's inference, ms (50..5,000). When analysing every tile would take
     * longer (estimated from the recent cost per tile), a frame analyses the tiles that fit,
     * those that waited longest first, so that every tile still gets its turn and the live view
     * stays fresh; the others' seconds without an analysis are `overloaded` gaps.
     */
    frameBudgetMs: z.number().min(50).max(5_000),
    /** Time constant tau of the exponential smoothing of each participant's probabilities, ms (smoothing.ts). */
    smoothingTauMs: ms(60_000),
  }),
  signals: z.object({
    /**
     * A face whose quality (face-quality.ts, in [0, 1]) is under this reads "can't tell": no
     * label, and its probabilities stay out of the timeline's means. Chosen by measurement on
     * degraded copies of the labelled sets (docs/signals.md).
     */
    minQuality: probability,
    /** A face attends (faces the screen) while |yaw| is at most this many degrees (0..90). */
    attentionMaxYawDeg: z.number().min(0).max(90),
    /** ... and |pitch| at most this many degrees (0..90). */
    attentionMaxPitchDeg: z.number().min(0).max(90),
    /** Eyes count as closed under this eye aspect ratio (face-signals.ts eyeOpenness, 0..1). */
    eyesClosedBelow: probability,
    /** Span of mouth openings the face-based speaking flag looks at, ms (200..5,000). */
    speakingWindowMs: z.number().min(200).max(5_000),
    /** Standard deviation of the mouth opening over that span at or above which the face counts as speaking (0..1). */
    speakingMinStd: probability,
  }),
});

/** The whole inference configuration (see InferenceConfigSchema for each knob). */
export type InferenceConfig = z.infer<typeof InferenceConfigSchema>;

/** Any part of a configuration, nested as the configuration is. */
export type ConfigOverrides = { [S in keyof InferenceConfig]?: InferenceConfig[S] extends object ? Partial<InferenceConfig[S]> : InferenceConfig[S] };

/** Shipped defaults; each value chosen by the protocol or the measurement in docs/accuracy.md. */
export const DEFAULT_CONFIG: InferenceConfig = {
  analyzer: 'callmood',
  models: { baseUrl: 'models/', wasmBaseUrl: 'wasm/' },
  backend: { choice: 'auto', warmupRuns: 2, measureRuns: 3, warmupBudgetMs: 2500 },
  detector: { maxInputSide: 320, minTileSide: 40, minFaceScore: 0.5, minFaceFraction: 0.08, boxScale: 1.4, maxFacesPerTile: 6, singleFaceBoxes: 6, confirmBelowScore: 0 },
  // Chosen by bench/DETECTION-PROTOCOL.md (docs/detection.md): the 2.4x rescue with the mesh at
  // 0.95 found 113 of 127 half-A photos against 101, no false face, at the same cost.
  mesh: { verify: true, minScore: 0.95, refitMinScore: 0.95, verifyLayout: false, rescueScale: 2.4 },
  tracking: { enabled: true, redetectMs: 2000, emptyTileRetryMs: 400 },
  frozen: { threshold: 0.5, recheckMs: 3000 },
  // Our network (models/callmood-emotion.json, training/) won the accuracy protocol against
  // human's and face-api's models at half the cost; with it, flip averaging scored 0.9 below
  // none at twice the cost, and T was fitted on FER-A (docs/accuracy.md). The cascade (face-api's
  // net where ours is under 0.6 sure of a negative or neutral class) won the protocol's posed
  // rule: +8.5 points on CK-A for -0.3 in the wild; the aligned crop lost (docs/accuracy.md).
  emotion: {
    model: 'callmood',
    cropScale: 1,
    align: 'none',
    antialias: false,
    lighting: 'none',
    lightingTargetStd: 0.25,
    ensembleWeight: 0.5,
    flipAverage: false,
    flipAlternate: true,
    temperature: 0.99,
    cascadeModel: 'faceapi',
    cascadeBelow: 0.6,
    cascadeClasses: ['angry', 'disgust', 'fear', 'sad', 'neutral'],
    cascadeWeight: 0.25,
    cascadeTemperature: 1.03,
  },
  live: { targetFps: 10, tileImageMaxSide: 480, minFaceFrames: 2, faceTimeoutMs: 1000, faceTimeoutAnalyses: 3, frozenAfterMs: 2000, frameBudgetMs: 1000, smoothingTauMs: 600 },
  signals: { minQuality: 0.1, attentionMaxYawDeg: 30, attentionMaxPitchDeg: 25, eyesClosedBelow: 0.15, speakingWindowMs: 1500, speakingMinStd: 0.05 },
};

type Stage = keyof InferenceConfig;

/**
 * Validates deep-partial `value` knob by knob against InferenceConfigSchema: each knob that
 * exists and passes its schema is kept; every other entry (unknown stage or knob, wrong type,
 * out of range) is dropped and named in `dropped` ("emotion.temperature"). Used for developer
 * overrides read from storage, which may be stale or corrupt. Never throws.
 */
export function sanitizeOverrides(value: unknown): { overrides: ConfigOverrides; dropped: string[] } {
  if (value === undefined || value === null) return { overrides: {}, dropped: [] };
  if (typeof value !== 'object' || Array.isArray(value)) return { overrides: {}, dropped: ['(not an object)'] };
  const overrides: Record<string, unknown> = {};
  const dropped: string[] = [];
  const shape = InferenceConfigSchema.shape as Record<string, z.ZodType>;
  for (const [stage, v] of Object.entries(value)) {
    const schema = shape[stage];
    if (!schema) {
      dropped.push(stage);
    } else if (schema instanceof z.ZodObject) {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) {
        dropped.push(stage);
        continue;
      }
      const knobs = schema.shape as Record<string, z.ZodType>;
      const kept: Record<string, unknown> = {};
      for (const [knob, x] of Object.entries(v)) {
        if (knobs[knob]?.safeParse(x).success) kept[knob] = x;
        else dropped.push(`${stage}.${knob}`);
      }
      if (Object.keys(kept).length) overrides[stage] = kept;
    } else if (schema.safeParse(v).success) {
      overrides[stage] = v;
    } else {
      dropped.push(stage);
    }
  }
  return { overrides, dropped };
}

/**
 * DEFAULT_CONFIG merged with `overrides` stage by stage (undefined values are ignored).
 * @throws Error naming every knob that does not pass the schema.
 */
export function makeConfig(...overrides: ConfigOverrides[]): InferenceConfig {
  const out = structuredClone(DEFAULT_CONFIG) as Record<Stage, unknown>;
  for (const o of overrides) {
    for (const [stage, v] of Object.entries(o) as [Stage, unknown][]) {
      if (v === undefined) continue;
      if (typeof v === 'object' && v !== null && typeof out[stage] === 'object') {
        for (const [knob, x] of Object.entries(v)) if (x !== undefined) (out[stage] as Record<string, unknown>)[knob] = x;
      } else {
        out[stage] = v;
      }
    }
  }
  const parsed = InferenceConfigSchema.safeParse(out);
  if (!parsed.success) throw new Error(`invalid inference configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}
