/**
 * What goes into and comes out of the inference stack. Boxes are in pixels of the tile's own
 * image (tile px): x to the right, y down, origin at the image's top-left corner.
 */
import type { Human } from '@vladmandic/human';
import type { Probabilities } from '../shared/emotions.ts';
import type { Rect } from '../shared/types.ts';
import type { FaceQuality } from './face-quality.ts';
import type { LandmarkSignals } from './face-signals.ts';

/** The tfjs namespace human was built against (the one tfjs of the bundle). */
export type TF = Human['tf'];

/** Pixels of one tile, as tfjs reads them (`tf.browser.fromPixels`). */
export type TilePixels = ImageData | HTMLCanvasElement | OffscreenCanvas | HTMLImageElement | HTMLVideoElement | ImageBitmap;

/** One tile's image: the only pixels of the tile the stack sees. */
export interface TileImage {
  /** Caller's key (participant or tile id); results come back in the same order with the same key. */
  key: string;
  /** The tile's pixels, `width` x `height`. */
  image: TilePixels;
  width: number;
  height: number;
  /**
   * Most faces to report for this tile (default 1: the largest), capped by
   * `detector.maxFacesPerTile`. More than one for a tile that shows several people.
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
   * 'analysed': analysed in this call (`faces` is its result). 'deferred': no face at its last
   * detection, less than `tracking.emptyTileRetryMs` ago, so skipped (`face` null, nothing
   * new). 'unchanged': its pixels did not change since its last analysis (frozen or paused
   * video, still avatar), so skipped (`face` null; the last result still holds). 'too-small':
   * the image is under `detector.minTileSide`. 'black': the image is black (camera covered or
   * off; see `frozen-tiles.ts` isBlack), so it is not searched for a face.
   */
  status: 'analysed' | 'deferred' | 'unchanged' | 'too-small' | 'black';
  /**
   * How long the tile's picture has stayed the same (the frozen check's measure), ms: 0 when it
   * changed in this call or the check is off. A picture that stays the same for long is a frozen video.
   */
  stillMs: number;
  /** True when the detector found a face only under `detector.minFaceFraction` of the tile (too small to read). */
  smallFace: boolean;
  /** True when the face was followed from the previous call by the face mesh rather than detected. */
  tracked: boolean;
  /** The largest face found (`faces[0]`), or null. */
  face: FaceAnalysis | null;
  /** Every face reported for the tile (at most the tile's `maxFaces`), largest first. */
  faces: FaceAnalysis[];
}

/** One face found in a tile. */
export interface FaceAnalysis {
  /** Face bounding box in tile px: the square box fitted to the face mesh (margin `detector.boxScale`), clipped to the tile. Also the emotion crop. */
  box: Rect;
  /** BlazeFace score in [0, 1] (of the last detection, for a tracked face). */
  score: number;
  /** Face-mesh confidence in [0, 1] (null when `mesh.verify` is off). */
  meshScore: number | null;
  /** Emotion probabilities (sum 1). */
  probabilities: Probabilities;
  /** Head pose, eye openness and mouth opening from the face mesh's landmarks; null when the mesh is off (`mesh.verify` false). */
  signals: LandmarkSignals | null;
  /** How far the face can be trusted for a label (size, |yaw|, brightness, sharpness; face-quality.ts). */
  quality: FaceQuality;
  /**
   * The face mesh's 468 landmarks (MediaPipe FaceMesh topology) as flat (x, y, z) triples in tile
   * px on every axis (z away from the camera); null when the mesh is off (`mesh.verify` false).
   */
  landmarks: Float32Array | null;
  /** Appearance descriptor (4x4 RGB thumbnail of `box`, 48 values in 0..255), only for tiles with `maxFaces` > 1. */
  appearance?: number[];
}

/** Timing of one `analyse()` call, ms. */
export interface AnalysisTiming {
  totalMs: number;
  /** Reading the tiles' pixels into tensors, and the frozen-tile check. */
  readMs: number;
  /** Face detection (BlazeFace + mesh check through human), all detected tiles. */
  detectMs: number;
  /** Face-mesh re-fitting of tracked faces, one batch. */
  trackMs: number;
  emotionMs: number;
  /** Face appearance (multi-person tiles) and the quality measurements (brightness, sharpness), one batch each. */
  signalsMs: number;
}

/** What the live pipeline needs from an analyzer (ours, or the benchmark build's baseline). */
export interface TileAnalyzer {
  readonly tf: TF;
  readonly backend: string;
  /**
   * Analyses each tile image; results in the same order. Not re-entrant: one call in flight.
   * @param now the frame's time, ms on any steady clock (default performance.now()): the
   *   tracking schedule and the frozen-tile recheck count from it.
   */
  /**
   * @param keep in mode 'track', the keys of every tile still in the call (default: the keys of
   *   `tiles`): state of keys outside it is dropped, so a frame may analyse only some tiles.
   */
  analyse(tiles: TileImage[], mode?: AnalyseMode, now?: number, keep?: ReadonlySet<string>): Promise<{ tiles: TileAnalysis[]; timing: AnalysisTiming }>;
  /** Settles when every model has loaded, those loaded in the background included; never rejects. Absent: loaded at creation. */
  readonly emotionReady?: Promise<void>;
  dispose(): void;
}
