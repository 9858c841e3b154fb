/**
 * CallMood's analyzer: face detection, tracking and 7-class emotion recognition for tile
 * images, one stage per module (detector, face-tracker + mesh, frozen-tiles, emotion,
 * appearance). Each tile's image becomes one small tensor; all faces of a call go through the
 * mesh in one batch and through the emotion model in one batch, each with one readback.
 */
import { Human } from '@vladmandic/human';
import type { Rect } from '../shared/types.ts';
import { appearances } from './appearance.ts';
import type { BackendChoice, InferenceConfig } from './config.ts';
import type { TileTensor } from './crops.ts';
import { detectFaces, humanConfig, sameFace } from './detector.ts';
import { EmotionClassifier, type FaceCrop } from './emotion.ts';
import { applyFit, carryBox, planFrame, trackFromDetection, type FaceTrack, type TileState } from './face-tracker.ts';
import { FrozenTiles, isBlack, thumbnails } from './frozen-tiles.ts';
import { intersectRect } from './geometry.ts';
import { fitMeshes } from './mesh.ts';
import { faceQuality, measureFaces } from './face-quality.ts';
import { landmarkSignals, landmarksFromHuman, type LandmarkSignals } from './face-signals.ts';
import type { AnalyseMode, AnalysisTiming, TF, TileAnalysis, TileAnalyzer, TileImage, TilePixels } from './types.ts';

/** A face found in this call, before emotion. */
interface Found {
  index: number;
  /** Clipped to the tile, tile px. */
  box: Rect;
  score: number;
  meshScore: number | null;
  signals: LandmarkSignals | null;
  /** 468 (x, y, z) landmarks, tile px; null without the mesh. */
  landmarks: Float32Array | null;
}

/** Landmarks in detector px of `window` (scaled by `scale`) mapped to tile px, in place. */
function windowToTile(points: Float32Array, window: Rect, scale: number): Float32Array {
  for (let j = 0; j < points.length; j += 3) {
    points[j] = window.x + points[j]! / scale;
    points[j + 1] = window.y + points[j + 1]! / scale;
    points[j + 2] = points[j + 2]! / scale;
  }
  return points;
}

/**
 * A loaded detector + emotion model on one tfjs backend. Create with `FaceEmotionAnalyzer.create`.
 * Not re-entrant: await one `analyse()` before starting the next (one frame in flight).
 */
export class FaceEmotionAnalyzer implements TileAnalyzer {
  /** Per tile key: its face tracks (mode 'track' only). */
  private readonly states = new Map<string, TileState>();
  private readonly frozen: FrozenTiles;
  /** Tile keys whose face is classified mirrored in the next frame (flip alternation). */
  private readonly mirrored = new Set<string>();

  private constructor(
    readonly human: Human,
    private readonly emotion: EmotionClassifier,
    readonly config: InferenceConfig,
  ) {
    this.frozen = new FrozenTiles(config.frozen);
  }

  /** tfjs namespace in use (the one human was built against). */
  get tf(): TF {
    return this.human.tf;
  }

  /** Settles when every emotion model has loaded, the cascade's second one included (see EmotionClassifier.ready). */
  get emotionReady(): Promise<void> {
    return this.emotion.ready;
  }

  /** Backend actually in use after init (human falls back silently, so read it back). */
  get backend(): string {
    return this.human.tf.getBackend();
  }

  /**
   * Initialises `backend` and loads the detector, the mesh and the emotion model.
   * @throws Error when the backend cannot be initialised or a model cannot be loaded.
   */
  static async create(config: InferenceConfig, backend: Exclude<BackendChoice, 'auto'>): Promise<FaceEmotionAnalyzer> {
    const human = new Human(humanConfig(config, backend));
    const tf = human.tf;
    // Extension pages expose SharedArrayBuffer, so tfjs would pick the multithreaded WASM
    // build, whose blob: workers MV3's CSP blocks: it then hangs without an error. human
    // applies its own flags too late, so set it here.
    if (backend === 'wasm') tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    await human.init();
    if (tf.getBackend() !== backend) throw new Error(`backend ${backend} could not be initialised (tfjs is on ${tf.getBackend()})`);
    await human.load();
    if (!human.models.loaded().includes('blazeface')) throw new Error('face detector (blazeface) failed to load');
    return new FaceEmotionAnalyzer(human, await EmotionClassifier.load(tf, config), config);
  }

  /** One tile's pixels as a [1, H, W, 3] float tensor. */
  private tensor(image: TilePixels): TileTensor {
    const tf = this.tf;
    const frame = tf.tidy(() => tf.expandDims(tf.cast(tf.browser.fromPixels(image), 'float32'), 0));
    return { frame, width: frame.shape[2]!, height: frame.shape[1]! };
  }

  /**
   * Finds the faces of each tile image and classifies their emotion.
   *
   * Mode 'track' (with `tracking.enabled` and `mesh.verify`): a tile whose face was detected
   * less than `tracking.redetectMs` ago is not run through the detector; its box is carried
   * over and re-fitted by the face mesh (face-tracker.ts). A face the mesh loses is detected
   * again in the same call; a tile with no face is retried after `emptyTileRetryMs`
   * ('deferred'); a tile whose pixels did not change is skipped ('unchanged'); a black tile is
   * not searched ('black'). Tracking state of keys outside `keep` is dropped. Mode
   * 'independent' reads and writes no state: every tile is detected (evaluation, tests).
   * @param tiles one image per tile; boxes in the results are in that image's pixels.
   * @param now the frame's time, ms on a steady clock (tracking schedule, frozen recheck).
   * @param keep the keys of every tile still in the call (default: those of `tiles`).
   */
  async analyse(tiles: TileImage[], mode: AnalyseMode = 'track', now = performance.now(), keep?: ReadonlySet<string>): Promise<{ tiles: TileAnalysis[]; timing: AnalysisTiming }> {
    const tf = this.tf;
    const t0 = performance.now();
    const { detector, mesh } = this.config;
    const stateful = mode === 'track' && this.config.tracking.enabled && mesh.verify;
    if (stateful) {
      const keys = keep ?? new Set(tiles.map((c) => c.key));
      for (const k of this.states.keys()) if (!keys.has(k)) this.states.delete(k);
      for (const k of this.mirrored) if (!keys.has(k)) this.mirrored.delete(k);
      this.frozen.retain(keys);
    }
    const results: TileAnalysis[] = tiles.map((c) => ({ key: c.key, face: null, faces: [], status: 'analysed', tracked: false, stillMs: 0, smallFace: false }));
    const timing: AnalysisTiming = { totalMs: 0, readMs: 0, detectMs: 0, trackMs: 0, emotionMs: 0, signalsMs: 0 };
    const tensors = new Map<number, TileTensor>();
    try {
      const usable: number[] = [];
      tiles.forEach((t, i) => {
        if (Math.min(t.width, t.height) >= detector.minTileSide) usable.push(i);
        else results[i]!.status = 'too-small';
      });
      for (const i of usable) tensors.set(i, this.tensor(tiles[i]!.image));
      const sized = (i: number) => ({ width: tensors.get(i)!.width, height: tensors.get(i)!.height });
      let work = usable;
      if (stateful && this.config.frozen.threshold > 0) {
        const thumbs = await thumbnails(tf, usable.map((i) => tensors.get(i)!));
        work = usable.filter((i, k) => {
          const key = tiles[i]!.key;
          const unchanged = this.frozen.unchanged(key, thumbs[k]!, now);
          results[i]!.stillMs = this.frozen.stillFor(key, now);
          if (isBlack(thumbs[k]!)) {
            results[i]!.status = 'black'; // no face to find: skip the detector
            this.states.delete(key); // a face that comes back is detected afresh
            return false;
          }
          if (unchanged) results[i]!.status = 'unchanged';
          return !unchanged;
        });
      }
      timing.readMs = performance.now() - t0;
      const plan = stateful
        ? planFrame(this.states, work.map((index) => ({ index, key: tiles[index]!.key })), now, this.config.tracking)
        : { detect: new Set(work), track: [] as { index: number; track: FaceTrack }[], deferred: new Set<number>() };
      for (const i of plan.deferred) results[i]!.status = 'deferred';

      const tracked: Found[] = [];
      if (plan.track.length > 0) {
        const tt = performance.now();
        const fits = await fitMeshes(this.human, plan.track.map((t) => ({ tile: tensors.get(t.index)!, box: carryBox(t.track, sized(t.index)) })));
        timing.trackMs = performance.now() - tt;
        plan.track.forEach((t, k) => {
          const box = applyFit(t.track, fits[k]!, sized(t.index), mesh.minScore);
          if (!box) plan.detect.add(t.index); // a face was lost: detect the tile again now
          else tracked.push({ index: t.index, box: intersectRect(box, { x: 0, y: 0, ...sized(t.index) }), score: t.track.score, meshScore: t.track.meshScore, signals: fits[k]!.signals, landmarks: fits[k]!.landmarks });
        });
      }
      // Two tracks of one tile that drifted onto the same face (people crossing in a
      // multi-person tile) would make one face two people: detect that tile afresh too.
      tracked.forEach((a, k) => {
        if (tracked.some((b, j) => j > k && b.index === a.index && sameFace(a.box, b.box))) plan.detect.add(a.index);
      });
      const found: Found[] = [];
      for (const f of tracked) {
        if (plan.detect.has(f.index)) continue;
        results[f.index]!.tracked = true;
        found.push(f);
      }
      for (const i of plan.detect) {
        const maxFaces = Math.max(1, Math.min(tiles[i]!.maxFaces ?? 1, detector.maxFacesPerTile));
        const { faces, ms, smallFace } = await detectFaces(this.human, tensors.get(i)!, maxFaces, this.config);
        timing.detectMs += ms;
        results[i]!.smallFace = smallFace;
        if (stateful) {
          const tracks = faces.map((c) => trackFromDetection(c.face, c.window, c.scale, sized(i)));
          // A face without landmarks cannot be followed: detect the tile again next time.
          if (tracks.some((t) => t === null)) this.states.delete(tiles[i]!.key);
          else this.states.set(tiles[i]!.key, { tracks: tracks as FaceTrack[], lastDetectAt: now, framesSinceDetect: 0 });
        }
        for (const c of faces) {
          const points = mesh.verify ? landmarksFromHuman(c.face.mesh, Math.max(c.face.size[0], c.face.size[1])) : null;
          found.push({ index: i, score: c.face.boxScore, meshScore: mesh.verify ? c.face.faceScore : null, box: c.box, signals: points ? landmarkSignals(points) : null, landmarks: points ? windowToTile(points, c.window, c.scale) : null });
        }
      }
      if (found.length > 0) {
        const te = performance.now();
        const items: FaceCrop[] = found.map((f) => ({ tile: tensors.get(f.index)!, box: f.box, landmarks: f.landmarks }));
        // Flip alternation: in a live call each tile's face is classified mirrored every other
        // frame instead of twice per frame; the smoothing averages them.
        const alternate = stateful && this.config.emotion.flipAverage && this.config.emotion.flipAlternate;
        const probabilities = await this.emotion.classify(items, alternate ? found.map((f) => this.nextMirror(tiles[f.index]!.key)) : undefined);
        timing.emotionMs = performance.now() - te;
        const looks = await appearances(tf, found.map((f, k) => ((tiles[f.index]!.maxFaces ?? 1) > 1 ? items[k]! : null)));
        const measured = await measureFaces(tf, items);
        timing.signalsMs = performance.now() - te - timing.emotionMs;
        found.forEach((f, k) => {
          const quality = faceQuality(Math.max(f.box.width, f.box.height), f.signals?.pose.yaw ?? null, measured[k]!.brightness, measured[k]!.sharpness);
          results[f.index]!.faces.push({ box: f.box, score: f.score, meshScore: f.meshScore, probabilities: probabilities[k]!, signals: f.signals, quality, landmarks: f.landmarks, ...(looks[k] ? { appearance: looks[k] } : {}) });
        });
        for (const r of results) {
          r.faces.sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height);
          r.face = r.faces[0] ?? null;
        }
      }
    } finally {
      tf.dispose([...tensors.values()].map((t) => t.frame));
    }
    timing.totalMs = performance.now() - t0;
    return { tiles: results, timing };
  }

  /**
   * The emotion stage alone, for images that already are face crops (FER-2013 style): each
   * rect of `image` goes through exactly the crop, resize and normalisation a detected face
   * box gets in `analyse()`. Used by the evaluation (`npm run eval -- --mode crop`).
   * @param rects face boxes in the image's pixels (e.g. the whole image).
   * @param mirror when given, one pass per crop, mirrored when true (a live frame with flip
   *   alternation); otherwise the configured flip averaging.
   * @returns probabilities per rect, in order.
   */
  async classifyFaceCrops(image: TilePixels, rects: Rect[], mirror?: boolean) {
    const tile = this.tensor(image);
    try {
      return await this.emotion.classify(rects.map((box) => ({ tile, box })), mirror === undefined ? undefined : rects.map(() => mirror));
    } finally {
      tile.frame.dispose();
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
    this.human.models.reset();
  }
}
