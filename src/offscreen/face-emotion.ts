/**
 * Face detection and 7-class emotion recognition for call tiles: the one inference module
 * the extension, the tests and the evaluation all use.
 *
 * Models (both from the @vladmandic/human npm package, copied into the build):
 * - face detector: MediaPipe BlazeFace as packaged by human (`blazeface.json`), each box
 *   checked by human's face mesh (`facemesh.json`; its face confidence must reach
 *   `minMeshScore`: BlazeFace alone scored animated titles and clouds up to 0.55, as high as
 *   a real face half hidden by a hand, while the mesh gives real faces about 1.0), run through `human.detect()` with every cache off (`skipFrames: 0`, `skipTime: 0`,
 *   `cacheSensitivity: 0`), so each call depends on its input alone. human's caches keep
 *   per-face state that assumes one video stream; with several tiles through one instance
 *   they could hand one tile another tile's result (test/e2e/inference.test.ts proves ours
 *   do not).
 * - emotion: oarriaga's big-XCEPTION trained on FER-2013 (`emotion.json`, 64x64 gray input,
 *   7 softmax outputs in FER order angry, disgust, fear, happy, sad, surprise, neutral).
 *   We run it ourselves on the detected face box rather than through human so that all
 *   faces of a frame go through the model in one batch with one readback, and the full
 *   softmax comes back (human truncates scores to 2 decimals and caps them at 0.99).
 *   Pre-processing is human's and oarriaga's: crop, bilinear resize to 64x64, RGB to gray
 *   with weights (0.2989, 0.5870, 0.1140), x / 255, then (x - 0.5) * 2.
 */
import { Human, type Config as HumanConfig, type Tensor } from '@vladmandic/human';
import * as faceapi from '@vladmandic/face-api';
import { EMOTIONS, toProbabilities, type Emotion, type Probabilities } from '../shared/emotions.ts';
import type { Rect } from '../shared/types.ts';
import type { BackendChoice, InferenceConfig } from './config.ts';
import { clipRect, intersectRect, iou, mapRect, pixelBox, squareWindows, supersampleFactors } from './geometry.ts';

type TF = Human['tf'];
/** One face as human reports it. */
type HumanFace = NonNullable<Awaited<ReturnType<Human['detect']>>['face']>[number];
type GraphModel = Awaited<ReturnType<TF['loadGraphModel']>>;

/** A region of the source frame to analyse, in source pixels. */
export interface TileCrop {
  /** Caller's key (participant id); results come back in the same order with the same key. */
  key: string;
  rect: Rect;
  /**
   * Most faces to report for this tile (default 1: the largest), capped by `maxFacesPerTile`.
   * More than one for a tile that shows several people (a recording, a meeting room).
   */
  maxFaces?: number;
}

/**
 * How `analyse()` treats tiles across calls: 'track' keeps per-tile face tracks between calls
 * (the live pipeline), 'independent' analyses every tile from scratch and keeps no state
 * (evaluation on still images, tests).
 */
export type AnalyseMode = 'track' | 'independent';

/** What one tile gave. */
export interface TileAnalysis {
  key: string;
  /**
   * 'analysed': the tile was analysed in this call (`face` is its result). 'deferred': the
   * tile had no face at its last detection, less than `emptyTileRetryMs` ago, and was skipped
   * (`face` is null and says nothing new). 'unchanged': the tile's pixels did not change since
   * its last analysis (frozen or paused video, still avatar) and it was skipped (`face` is null;
   * the last result still holds).
   */
  status: 'analysed' | 'deferred' | 'unchanged';
  /** True when the face was followed from the previous call by the face mesh rather than detected. */
  tracked: boolean;
  /** Largest face found in the tile (detector score >= minFaceScore), or null: `faces[0]`. */
  face: FaceAnalysis | null;
  /** Every face reported for the tile (at most the crop's `maxFaces`), largest first. */
  faces: FaceAnalysis[];
}

/** One face found in a tile. */
export interface FaceAnalysis {
  /** Face bounding box in source pixels: the square box human reports (fitted to the face mesh; its margin follows `detectorScale`), clipped to the tile. It is also the emotion crop. */
  box: Rect;
  /** BlazeFace score in [0, 1] (of the last detection, for a tracked face). */
  score: number;
  /** Face-mesh confidence in [0, 1] (null when `verifyWithMesh` is off). */
  meshScore: number | null;
  /** Emotion probabilities (sum 1). */
  probabilities: Probabilities;
  /** Appearance descriptor (4x4 RGB thumbnail of `box`, 48 values in 0..255), only for tiles with `maxFaces` > 1. */
  appearance?: number[];
}

/** Timing of one `analyse()` call, ms. */
export interface AnalysisTiming {
  totalMs: number;
  /** Face detection (BlazeFace + mesh check through human), all detected tiles. */
  detectMs: number;
  /** Face-mesh re-fitting of tracked faces, one batch. */
  trackMs: number;
  emotionMs: number;
}

/** What the frame loop needs from an analyzer (ours, or the naive benchmark baseline). */
export interface TileAnalyzer {
  readonly tf: TF;
  readonly backend: string;
  /** Analyses each crop (tile) of `source`; see FaceEmotionAnalyzer.analyse. */
  analyse(source: CanvasImageSource, crops: TileCrop[], mode?: AnalyseMode): Promise<{ tiles: TileAnalysis[]; timing: AnalysisTiming }>;
  dispose(): void;
}

const GRAY_WEIGHTS = [0.2989, 0.587, 0.114];

/**
 * A tile without a face waits at least this many frames before its next detection, besides
 * `emptyTileRetryMs`: on a slow machine, where one frame already takes longer than that, it
 * would otherwise be detected every frame, exactly when time is shortest.
 */
const EMPTY_RETRY_MIN_FRAMES = 3;

/** Most periodic re-detections of tracked tiles per frame (new, empty and lost tiles come on top). */
const MAX_REDETECTS_PER_FRAME = 1;

/** Side of the gray thumbnails compared by the frozen-tile check, px. */
const THUMB_SIDE = 16;

/** Input side of human's face mesh model (facemesh.json), px. */
const MESH_INPUT = 192;

/** Landmarks per face of human's face mesh (x, y, z each). */
const MESH_POINTS = 468;

/**
 * Bounds of `count` landmarks stored flat as (x, y, z) triples from index `start` of `values`
 * (any units; NaN coordinates are ignored).
 */
function landmarkBounds(values: ArrayLike<number>, start: number, count: number): { x0: number; y0: number; x1: number; y1: number } {
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

/** A face followed from call to call (see `analyse`, mode 'track'). */
interface FaceTrack {
  /** Square face box in source px, not clipped to the tile (the mesh crop). */
  box: Rect;
  /** The tile's rect (source px) when `box` was fitted: the box moves and scales with the tile. */
  tileRect: Rect;
  /** BlazeFace score at the last detection, in [0, 1]. */
  score: number;
  /** Face-mesh confidence at the last fit, in [0, 1]. */
  meshScore: number;
  /** Box side / largest side of the landmarks' extent, fixed at detection (human's box margin). */
  sideToExtent: number;
  /** performance.now() of the last detection, ms. */
  detectedAt: number;
}

/** Tracking state of one tile key. */
interface TileState {
  /** The tile's faces (largest first at detection); empty when the last detection found none. */
  tracks: FaceTrack[];
  /** performance.now() of the tile's last detection, ms. */
  lastDetectAt: number;
  /** Calls (frames) since that detection. */
  framesSinceDetect: number;
}

/**
 * A track from one of human's face results on a tile crop scaled by `scale` (tile px = source
 * px x scale) whose rect in the source is `tile`. human's box is the detector box (enlarged by
 * `detectorScale`, squared: side = max of `size`) re-centred on the centre of the mesh's
 * extent, then clipped to the tile; the track keeps it unclipped.
 */
function trackFromDetection(face: { size: [number, number]; mesh: readonly (readonly (number | undefined)[])[]; boxScore: number; faceScore: number }, tile: Rect, scale: number, now: number): FaceTrack | null {
  if (face.mesh.length < MESH_POINTS) return null; // no landmarks to follow
  const { x0, y0, x1, y1 } = landmarkBounds(face.mesh.flatMap((p) => [p[0] ?? NaN, p[1] ?? NaN, 0]), 0, face.mesh.length);
  const side = Math.max(face.size[0], face.size[1]) / scale;
  const extent = Math.max(x1 - x0, y1 - y0, 1) / scale;
  const cx = tile.x + (x0 + x1) / 2 / scale;
  const cy = tile.y + (y0 + y1) / 2 / scale;
  return {
    box: { x: cx - side / 2, y: cy - side / 2, width: side, height: side },
    tileRect: tile,
    score: face.boxScore,
    meshScore: face.faceScore,
    sideToExtent: side / extent,
    detectedAt: now,
  };
}

/** Output order of face-api's FaceExpressionNet, mapped to our class names. */
const FACEAPI_ORDER: Emotion[] = ['neutral', 'happy', 'sad', 'angry', 'fear', 'disgust', 'surprise'];

/**
 * Loads face-api's FaceExpressionNet from `modelBaseUrl` (face_expression_model-weights_manifest.json
 * and its shard, copied from the @vladmandic/face-api npm package). The weights are fetched
 * with tfjs's own loader: face-api's `loadFromUri` mangles chrome-extension:// URLs.
 * @throws Error when the files cannot be loaded.
 */
async function loadFaceExpressionNet(tf: TF, modelBaseUrl: string): Promise<faceapi.FaceExpressionNet> {
  const response = await fetch(`${modelBaseUrl}face_expression_model-weights_manifest.json`);
  if (!response.ok) throw new Error(`face-api expression model manifest: HTTP ${response.status}`);
  const manifest = await response.json();
  const weights = await tf.io.loadWeights(manifest, modelBaseUrl.replace(/\/$/, ''));
  const net = new faceapi.FaceExpressionNet();
  net.loadFromWeightMap(weights as never);
  return net;
}

/** human's configuration for detection only: BlazeFace (+ mesh check), no emotion, every cache off. */
function humanConfig(config: InferenceConfig, backend: string): Partial<HumanConfig> {
  return {
    backend: backend as HumanConfig['backend'],
    modelBasePath: config.modelBaseUrl,
    wasmPath: config.wasmBaseUrl,
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
        maxDetected: Math.max(3, config.maxFacesPerTile),
        skipFrames: 0,
        skipTime: 0,
        // human drops boxes and meshes below this one threshold; ours are applied below.
        // (human reads 0 as "unset" and then rejects every mesh, hence the floor of 0.01.)
        minConfidence: Math.max(0.01, config.verifyWithMesh ? Math.min(config.minFaceScore, config.minMeshScore) : config.minFaceScore),
        scale: config.detectorScale,
        return: false,
      },
      mesh: { enabled: config.verifyWithMesh, modelPath: 'facemesh.json', keepInvalid: false },
      iris: { enabled: false },
      emotion: { enabled: false },
      description: { enabled: false },
      antispoof: { enabled: false },
      liveness: { enabled: false },
      attention: { enabled: false },
    } as HumanConfig['face'],
    body: { enabled: false },
    hand: { enabled: false },
    object: { enabled: false },
    gesture: { enabled: false },
    segmentation: { enabled: false },
  } as Partial<HumanConfig>;
}

/**
 * A loaded detector + emotion model on one tfjs backend. Create with `FaceEmotionAnalyzer.create`.
 * Not re-entrant: await one `analyse()` before starting the next (one frame in flight).
 */
export class FaceEmotionAnalyzer implements TileAnalyzer {
  /** Per tile key: its face track (mode 'track' only). */
  private readonly states = new Map<string, TileState>();
  /** Per tile key: gray thumbnail at its last analysis and when (frozen-tile check). */
  private readonly thumbs = new Map<string, { thumb: Float32Array; at: number }>();
  /** Tile keys whose face is classified mirrored in the next frame (flip alternation). */
  private readonly mirrored = new Set<string>();

  private constructor(
    readonly human: Human,
    private readonly emotion: GraphModel,
    private readonly expressionNet: faceapi.FaceExpressionNet | null,
    readonly config: InferenceConfig,
  ) {}

  /** tfjs namespace in use (the one human was built against). */
  get tf(): TF {
    return this.human.tf;
  }

  /** Backend actually in use after init (human falls back silently, so read it back). */
  get backend(): string {
    return this.human.tf.getBackend();
  }

  /**
   * Initialises `backend` and loads both models.
   * @throws Error when the backend cannot be initialised or a model file cannot be loaded.
   */
  static async create(config: InferenceConfig, backend: Exclude<BackendChoice, 'auto'>): Promise<FaceEmotionAnalyzer> {
    const human = new Human(humanConfig(config, backend));
    const tf = human.tf;
    if (backend === 'wasm') {
      // Extension pages expose SharedArrayBuffer, so tfjs would pick the multithreaded WASM
      // build, whose blob: workers MV3's CSP blocks: it then hangs without an error.
      // human applies its own flags too late, so set it here (BROWSER-NOTES.md).
      tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    }
    await human.init();
    if (tf.getBackend() !== backend) {
      throw new Error(`backend ${backend} could not be initialised (tfjs is on ${tf.getBackend()})`);
    }
    await human.load();
    if (!human.models.loaded().includes('blazeface')) throw new Error('face detector (blazeface) failed to load');
    // 'callmood' runs our own network (models/callmood-emotion.json, training/README.md) in place of human's.
    const emotion = await tf.loadGraphModel(`${config.modelBaseUrl}${config.emotionModel === 'callmood' ? 'callmood-emotion.json' : 'emotion.json'}`);
    const usesFaceapi = config.emotionModel === 'faceapi' || config.emotionModel === 'ensemble';
    const expressionNet = usesFaceapi ? await loadFaceExpressionNet(tf, config.modelBaseUrl) : null;
    return new FaceEmotionAnalyzer(human, emotion, expressionNet, config);
  }

  /**
   * Detects the largest face in each tile of `source` and classifies its emotion. All faces
   * of the call go through the emotion model in one batch with one readback.
   *
   * Tracking (`mode` 'track', with `trackFaces` and `verifyWithMesh` on): a tile whose face
   * was detected less than `redetectMs` ago is not run through the detector again. Its face
   * box is carried over from the last frame (moved and scaled with the tile's rect) and
   * re-fitted by the face mesh alone, all such tiles in one batch: the mesh confidence
   * (>= `minMeshScore`) confirms the face is still there and its landmarks re-centre the box,
   * exactly as human re-centres a detector box. A face the mesh loses is detected again in the
   * same call. A tile where the detector found no face is detected again only after
   * `emptyTileRetryMs` (its result is 'deferred' until then). A tile whose pixels did not
   * change since its last analysis is skipped ('unchanged', see `frozenThreshold`). This is how MediaPipe's face
   * mesh pipeline tracks faces (detector for the first frame, landmarks give the next ROI).
   * Mode 'independent' reads and writes no state: every tile is detected (evaluation, tests).
   * @param source a video frame, canvas or image (pixels read once per call).
   * @param crops tile rectangles in source pixels; crops outside the source are clipped,
   *   crops smaller than `minTileSide` after clipping get `face: null`. Keys identify tiles
   *   across calls; tracking state of keys absent from a 'track' call is dropped.
   */
  async analyse(source: CanvasImageSource | ImageData, crops: TileCrop[], mode: AnalyseMode = 'track'): Promise<{ tiles: TileAnalysis[]; timing: AnalysisTiming }> {
    const tf = this.tf;
    const t0 = performance.now();
    const now = t0;
    const stateful = mode === 'track' && this.config.trackFaces && this.config.verifyWithMesh;
    if (stateful) {
      const keys = new Set(crops.map((c) => c.key));
      for (const k of this.states.keys()) if (!keys.has(k)) this.states.delete(k);
      for (const k of this.mirrored) if (!keys.has(k)) this.mirrored.delete(k);
      for (const k of this.thumbs.keys()) if (!keys.has(k)) this.thumbs.delete(k);
    }
    const frame = tf.browser.fromPixels(source as HTMLCanvasElement);
    const [height, width] = frame.shape;
    const tensors: Tensor[] = [frame];
    const found: { index: number; box: Rect; score: number; meshScore: number | null }[] = [];
    const tiles: TileAnalysis[] = crops.map((c) => ({ key: c.key, face: null, faces: [], status: 'analysed', tracked: false }));
    let detectMs = 0;
    let trackMs = 0;
    let emotionMs = 0;
    try {
      const frame4d = tf.tidy(() => tf.expandDims(tf.cast(frame, 'float32'), 0)) as Tensor;
      tensors.push(frame4d);
      const toTrack: { index: number; tile: Rect; box: Rect; track: FaceTrack }[] = [];
      const toDetect = new Map<number, Rect>();
      const dueRedetect: { index: number; tile: Rect; since: number }[] = [];
      const usable: { index: number; tile: Rect }[] = [];
      for (let i = 0; i < crops.length; i++) {
        const r = clipRect(crops[i]!.rect, width, height);
        if (r && Math.min(r.width, r.height) >= this.config.minTileSide) usable.push({ index: i, tile: r });
      }
      const frozen = stateful && this.config.frozenThreshold > 0 ? await this.unchangedTiles(frame4d, usable, crops, width, height, now) : new Set<number>();
      for (const { index: i, tile: r } of usable) {
        if (frozen.has(i)) {
          tiles[i]!.status = 'unchanged';
          continue;
        }
        const state = stateful ? this.states.get(crops[i]!.key) : undefined;
        if (state) state.framesSinceDetect++;
        if (state && state.tracks.length > 0) {
          // Due for its periodic re-detection? Those wait their turn (see below); until then, track.
          if (now - state.lastDetectAt >= this.config.redetectMs) dueRedetect.push({ index: i, tile: r, since: state.lastDetectAt });
          for (const track of state.tracks) toTrack.push({ index: i, tile: r, box: mapRect(track.box, track.tileRect, r), track });
        } else if (state && (now - state.lastDetectAt < this.config.emptyTileRetryMs || state.framesSinceDetect < EMPTY_RETRY_MIN_FRAMES)) {
          tiles[i]!.status = 'deferred';
        } else {
          toDetect.set(i, r);
        }
      }
      // Periodic re-detections are spread over frames, the longest-waiting first, so that tiles
      // tracked since the same frame do not all hit the detector together (a latency spike).
      const redetectSlots = Math.max(0, MAX_REDETECTS_PER_FRAME - toDetect.size);
      for (const due of dueRedetect.sort((a, b) => a.since - b.since).slice(0, redetectSlots)) toDetect.set(due.index, due.tile);
      const trackNow = toTrack.filter((t) => !toDetect.has(t.index));
      const tracked: typeof found = [];
      if (trackNow.length > 0) {
        const tt = performance.now();
        const fits = await this.fitMeshes(frame4d, trackNow.map((t) => t.box), width, height);
        trackMs = performance.now() - tt;
        trackNow.forEach((t, k) => {
          const fit = fits[k]!;
          if (fit.confidence < this.config.minMeshScore) {
            toDetect.set(t.index, t.tile); // a face was lost: detect the tile again now
            return;
          }
          const side = t.track.sideToExtent * fit.extent;
          const box = { x: fit.center.x - side / 2, y: fit.center.y - side / 2, width: side, height: side };
          Object.assign(t.track, { box, tileRect: t.tile, meshScore: fit.confidence });
          tracked.push({ index: t.index, box: intersectRect(box, t.tile), score: t.track.score, meshScore: fit.confidence });
        });
      }
      // Two tracks of one tile that drifted onto the same face (people crossing in a
      // multi-person tile) would make one face two people: detect that tile afresh too.
      tracked.forEach((a, k) => {
        if (tracked.some((b, j) => j > k && b.index === a.index && iou(a.box, b.box) > 0.5)) toDetect.set(a.index, usable.find((u) => u.index === a.index)!.tile);
      });
      // Tiles with a lost face are detected afresh (all their faces); the others keep their tracks.
      for (const f of tracked) {
        if (toDetect.has(f.index)) continue;
        tiles[f.index]!.tracked = true;
        found.push(f);
      }
      for (const [i, r] of toDetect) {
        const maxFaces = Math.max(1, Math.min(crops[i]!.maxFaces ?? 1, this.config.maxFacesPerTile));
        // One window (the tile) for a one-person tile. A multi-person tile is searched in
        // overlapping square windows: the detector squeezes its input to a square, and a wide
        // picture squeezed that much loses its smaller faces.
        const candidates: { face: HumanFace; window: Rect; scale: number; box: Rect }[] = [];
        for (const w of maxFaces > 1 ? squareWindows(r) : [r]) {
          const scale = Math.min(1, this.config.maxTileSide / Math.max(w.width, w.height));
          const tw = Math.max(1, Math.round(w.width * scale));
          const th = Math.max(1, Math.round(w.height * scale));
          const tile = tf.image.cropAndResize(frame4d as never, [pixelBox(w, width, height)], [0], [th, tw]);
          try {
            const td = performance.now();
            const result = await this.human.detect(tile as unknown as Tensor);
            detectMs += performance.now() - td;
            for (const f of result.face ?? []) {
              if (f.boxScore < this.config.minFaceScore || (this.config.verifyWithMesh && f.faceScore < this.config.minMeshScore)) continue;
              if (Math.min(f.box[2], f.box[3]) < this.config.minFaceFraction * Math.min(tw, th)) continue;
              const [bx, by, bw, bh] = f.box;
              candidates.push({ face: f, window: w, scale, box: { x: w.x + bx / scale, y: w.y + by / scale, width: bw / scale, height: bh / scale } });
            }
          } finally {
            tile.dispose();
          }
        }
        // The largest faces first; the same face found twice (IoU > 0.5: overlapping windows,
        // or the detector) counts once.
        candidates.sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height);
        const kept: typeof candidates = [];
        for (const c of candidates) if (kept.length < maxFaces && !kept.some((k) => iou(k.box, c.box) > 0.5)) kept.push(c);
        if (stateful) {
          const tracks = kept.map((c) => trackFromDetection(c.face, c.window, c.scale, now));
          // A face without landmarks cannot be followed: detect the tile again next time.
          if (tracks.some((t) => t === null)) this.states.delete(crops[i]!.key);
          else this.states.set(crops[i]!.key, { tracks: tracks as FaceTrack[], lastDetectAt: now, framesSinceDetect: 0 });
        }
        for (const c of kept) found.push({ index: i, score: c.face.boxScore, meshScore: this.config.verifyWithMesh ? c.face.faceScore : null, box: c.box });
      }
      if (found.length > 0) {
        const te = performance.now();
        const k = this.config.emotionCropScale;
        const emotionBoxes = found.map(({ box: b }) => ({ x: b.x + (b.width * (1 - k)) / 2, y: b.y + (b.height * (1 - k)) / 2, width: b.width * k, height: b.height * k }));
        // Flip alternation: in a live call each tile's face is classified mirrored every other
        // frame instead of twice per frame; the smoothing (tau = smoothingTauMs) averages them.
        const alternate = stateful && this.config.flipAverage && this.config.flipAlternate;
        const mirror = alternate ? found.map((f) => this.nextMirror(crops[f.index]!.key)) : undefined;
        const probabilities = await this.classify(frame4d, emotionBoxes, width, height, mirror);
        emotionMs = performance.now() - te;
        const appearance = await this.appearances(frame4d, found.map((f) => ((crops[f.index]!.maxFaces ?? 1) > 1 ? f.box : null)), width, height);
        found.forEach((f, k) => {
          tiles[f.index]!.faces.push({ box: f.box, score: f.score, meshScore: f.meshScore, probabilities: probabilities[k]!, ...(appearance[k] ? { appearance: appearance[k] } : {}) });
        });
        for (const t of tiles) {
          t.faces.sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height);
          t.face = t.faces[0] ?? null;
        }
      }
    } finally {
      tf.dispose(tensors);
    }
    return { tiles, timing: { totalMs: performance.now() - t0, detectMs, trackMs, emotionMs } };
  }

  /**
   * The tiles of `usable` whose pixels did not change since their last analysis: the mean
   * absolute difference of a 16x16 gray thumbnail (0..255) to the one kept at that analysis is
   * under `frozenThreshold`, and that analysis is less than `frozenRecheckMs` old. Frozen or
   * paused video, a still avatar or a black tile costs nothing until it changes. All
   * thumbnails come from one crop op and one readback. Updates the kept thumbnails of the
   * other tiles.
   * @returns indices (into `crops`) of the unchanged tiles.
   */
  private async unchangedTiles(frame4d: Tensor, usable: { index: number; tile: Rect }[], crops: TileCrop[], width: number, height: number, now: number): Promise<Set<number>> {
    const out = new Set<number>();
    if (usable.length === 0) return out;
    const tf = this.tf;
    const side = THUMB_SIDE;
    const thumbsT = tf.tidy(() => tf.mean(tf.image.cropAndResize(frame4d as never, usable.map((u) => pixelBox(u.tile, width, height)), usable.map(() => 0), [side, side]), 3));
    const thumbs = (await thumbsT.data()) as Float32Array;
    thumbsT.dispose();
    usable.forEach(({ index }, k) => {
      const key = crops[index]!.key;
      const thumb = thumbs.slice(k * side * side, (k + 1) * side * side);
      const last = this.thumbs.get(key);
      if (last && now - last.at < this.config.frozenRecheckMs) {
        let diff = 0;
        for (let j = 0; j < thumb.length; j++) diff += Math.abs(thumb[j]! - last.thumb[j]!);
        if (diff / thumb.length < this.config.frozenThreshold) {
          out.add(index);
          return;
        }
      }
      this.thumbs.set(key, { thumb, at: now });
    });
    return out;
  }

  /**
   * Appearance descriptors (see face-identity.ts) of the non-null `boxes`: each box's pixels
   * bilinearly resized to 4x4 RGB, 48 values in 0..255, row-major; one op, one readback.
   * @returns one descriptor per box, null where the box is null.
   */
  private async appearances(frame4d: Tensor, boxes: (Rect | null)[], width: number, height: number): Promise<(number[] | null)[]> {
    const wanted = boxes.flatMap((b, k) => (b ? [k] : []));
    if (wanted.length === 0) return boxes.map(() => null);
    const tf = this.tf;
    const t = tf.image.cropAndResize(frame4d as never, wanted.map((k) => pixelBox(boxes[k]!, width, height)), wanted.map(() => 0), [4, 4]);
    const data = (await t.data()) as Float32Array;
    t.dispose();
    const out: (number[] | null)[] = boxes.map(() => null);
    wanted.forEach((k, j) => (out[k] = Array.from(data.subarray(j * 48, (j + 1) * 48))));
    return out;
  }

  /**
   * Runs human's face mesh (MediaPipe FaceMesh, 192x192 RGB in [0, 1], 468 landmarks and a
   * face confidence) on square `boxes` of a [1, H, W, 3] float frame, all in one batch with
   * one readback. Pre-processing is human's `cutAndResize` (crop + bilinear resize, x / 255).
   * @returns per box: the face confidence in [0, 1], the centre of the landmarks' extent and
   *   the largest side of that extent, in source pixels.
   */
  private async fitMeshes(frame4d: Tensor, boxes: Rect[], width: number, height: number): Promise<{ confidence: number; center: { x: number; y: number }; extent: number }[]> {
    const tf = this.tf;
    const mesh = this.human.models.models.facemesh;
    if (!mesh) throw new Error('face mesh model is not loaded');
    const size = MESH_INPUT;
    const outputs: Tensor[] = tf.tidy(() => {
      const crops = tf.image.cropAndResize(frame4d as never, boxes.map((b) => pixelBox(b, width, height)), boxes.map(() => 0), [size, size]);
      return mesh.execute(tf.div(crops, 255)) as Tensor[];
    });
    try {
      const confidenceT = outputs.find((t) => t.shape[t.shape.length - 1] === 1);
      const meshT = outputs.find((t) => t.shape[t.shape.length - 1] === MESH_POINTS * 3);
      if (!confidenceT || !meshT) throw new Error('face mesh model gave unexpected outputs');
      const [confidence, points] = (await Promise.all([confidenceT.data(), meshT.data()])) as Float32Array[];
      return boxes.map((b, k) => {
        // Landmarks are in crop px (0..size); the crop is box b.
        const { x0, y0, x1, y1 } = landmarkBounds(points!, k * MESH_POINTS, MESH_POINTS);
        const sx = b.width / size;
        const sy = b.height / size;
        return { confidence: confidence![k]!, center: { x: b.x + ((x0 + x1) / 2) * sx, y: b.y + ((y0 + y1) / 2) * sy }, extent: Math.max((x1 - x0) * sx, (y1 - y0) * sy) };
      });
    } finally {
      tf.dispose(outputs);
    }
  }

  /**
   * The emotion stage alone, for images that already are face crops (FER-2013 style): each
   * rect of `source` goes through exactly the crop, resize and normalisation a detected face
   * box gets in `analyse()`. Used by the evaluation (`npm run eval -- --mode crop`).
   * @param rects face boxes in source pixels (e.g. the whole image).
   * @param mirror when given, one pass per crop, mirrored when true (as a frame of the live
   *   pipeline with `flipAlternate`); otherwise the configured flip averaging.
   * @returns probabilities per rect, in order.
   */
  async classifyFaceCrops(source: HTMLVideoElement | HTMLCanvasElement | OffscreenCanvas | HTMLImageElement | ImageBitmap | ImageData, rects: Rect[], mirror?: boolean): Promise<Probabilities[]> {
    const tf = this.tf;
    const frame = tf.browser.fromPixels(source as HTMLCanvasElement);
    const [height, width] = frame.shape;
    const frame4d = tf.tidy(() => tf.expandDims(tf.cast(frame, 'float32'), 0)) as Tensor;
    try {
      return await this.classify(frame4d, rects, width, height, mirror === undefined ? undefined : rects.map(() => mirror));
    } finally {
      tf.dispose([frame, frame4d]);
    }
  }

  /**
   * Runs the emotion model on `boxes` of a [1, H, W, 3] float frame (0..255) in one batch
   * with one readback: crop + bilinear resize to the model's input side (64 for human's
   * model, 48 for 'callmood'; read from the model's input shape), gray (0.2989, 0.587, 0.114),
   * x / 255, optional lighting correction, (x - 0.5) * 2; then optional flip averaging and
   * temperature (see config.ts). training/export_tfjs.py reproduces this preprocessing.
   * With `mirror` (one flag per box) each face is classified once instead, mirrored
   * left-right where its flag is true (flip alternation).
   */
  private async classify(frame4d: Tensor, boxes: Rect[], width: number, height: number, mirror?: readonly boolean[]): Promise<Probabilities[]> {
    const tf = this.tf;
    const { temperature, lighting, lightingTargetStd, emotionModel, faceapiWeight } = this.config;
    // With `mirror` given, each face is classified once, mirrored where mirror[k] is true.
    const flipAverage = this.config.flipAverage && !mirror;
    const n = boxes.length;
    const cropBoxes = boxes.map((b) => pixelBox(b, width, height));
    const useHuman = emotionModel !== 'faceapi'; // human's graph model, or ours in its place ('callmood')
    const net = emotionModel === 'faceapi' || emotionModel === 'ensemble' ? this.expressionNet : null;
    const side = this.emotion.inputs[0]?.shape?.[1] ?? 64;
    /**
     * [n, size, size, 3] crops of the boxes: one bilinear resize, or with `antialias` each box
     * cropped to k x size (k from supersampleFactors) and k x k blocks averaged.
     */
    const resized = (size: number, antialias: boolean): Tensor => {
      const ks = antialias ? supersampleFactors(boxes, size) : null;
      if (!ks || ks.every((k) => k === 1)) return tf.image.cropAndResize(frame4d as never, cropBoxes, boxes.map(() => 0), [size, size]) as Tensor;
      // One crop per factor k (boxes of the same k share it), then back to the boxes' order.
      const groups = [...new Set(ks)].map((k) => ({ k, members: ks.flatMap((x, i) => (x === k ? [i] : [])) }));
      const parts = groups.map(({ k, members }) => {
        const big = tf.image.cropAndResize(frame4d as never, members.map((i) => cropBoxes[i]!), members.map(() => 0), [size * k, size * k]);
        return (k === 1 ? big : tf.avgPool(big as never, k, k, 'valid')) as Tensor;
      });
      if (parts.length === 1) return parts[0]!;
      const order = groups.flatMap((g) => g.members);
      return tf.gather(tf.concat(parts, 0), tf.tensor1d(boxes.map((_, i) => order.indexOf(i)), 'int32')) as Tensor;
    };
    // Mirrored copies go in the same batch: rows n..2n-1 are the flips of rows 0..n-1.
    const crops = (size: number, antialias = false): Tensor => {
      const faces = resized(size, antialias);
      if (mirror?.some((m) => m)) {
        const both = tf.concat([faces, tf.image.flipLeftRight(faces)], 0);
        return tf.gather(both, tf.tensor1d(mirror.map((m, k) => (m ? n + k : k)), 'int32')) as Tensor;
      }
      return (flipAverage ? tf.concat([faces, tf.image.flipLeftRight(faces)], 0) : faces) as Tensor;
    };
    const outputs: Tensor[] = [];
    try {
      if (useHuman) {
        outputs.push(
          tf.tidy(() => {
            let gray = tf.div(tf.sum(tf.mul(crops(side, this.config.emotionAntialias), tf.tensor1d(GRAY_WEIGHTS)), 3, true), 255);
            if (lighting === 'standardize') {
              const { mean, variance } = tf.moments(gray, [1, 2, 3], true);
              gray = tf.clipByValue(tf.add(tf.mul(tf.div(tf.sub(gray, mean), tf.add(tf.sqrt(variance), 1e-3)), lightingTargetStd), 0.5), 0, 1);
            }
            return this.emotion.execute(tf.mul(tf.sub(gray, 0.5), 2)) as Tensor;
          }),
        );
      }
      if (net) {
        const rgb = tf.tidy(() => crops(112));
        const images = tf.unstack(rgb);
        try {
          outputs.push(net.forwardInput(new faceapi.NetInput(images as never)) as unknown as Tensor);
        } finally {
          tf.dispose([rgb, ...images]);
        }
      }
      const data = (await Promise.all(outputs.map((t) => t.data()))) as Float32Array[];
      const rows = flipAverage ? 2 : 1;
      /** Probabilities of face k from model output `m`, in EMOTIONS order, flip-averaged. */
      const read = (m: number, k: number, order: readonly Emotion[]): number[] => {
        const out = EMOTIONS.map(() => 0);
        for (let r = 0; r < rows; r++) {
          const row = data[m]!.subarray((r * n + k) * 7, (r * n + k) * 7 + 7);
          order.forEach((e, i) => (out[EMOTIONS.indexOf(e)]! += row[i]! / rows));
        }
        return out;
      };
      return boxes.map((_, k) => {
        let p: number[];
        if (emotionModel === 'human' || emotionModel === 'callmood') p = read(0, k, EMOTIONS);
        else if (emotionModel === 'faceapi') p = read(0, k, FACEAPI_ORDER);
        else {
          const h = read(0, k, EMOTIONS);
          const f = read(1, k, FACEAPI_ORDER);
          p = h.map((v, i) => (1 - faceapiWeight) * v + faceapiWeight * f[i]!);
        }
        return toProbabilities(temperature === 1 ? p : p.map((v) => Math.pow(Math.max(v, 1e-12), 1 / temperature)));
      });
    } finally {
      tf.dispose(outputs);
    }
  }

  /** Whether tile `key`'s face is classified mirrored in this frame (flip alternation); flips the tile's flag. */
  private nextMirror(key: string): boolean {
    const mirrored = this.mirrored.has(key);
    if (mirrored) this.mirrored.delete(key);
    else this.mirrored.add(key);
    return mirrored;
  }

  /** Releases the models' tensors. */
  dispose(): void {
    this.emotion.dispose();
    this.expressionNet?.dispose();
    this.human.models.reset();
  }
}
