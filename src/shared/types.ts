import type { Emotion, Probabilities } from './emotions.ts';
import type { GapReason } from './timeline-records.ts';

export type { GapReason } from './timeline-records.ts';

/** A rectangle in CSS pixels relative to the top-left corner of the page's viewport. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Which content-script adapter found the tiles (one per file in `src/content/platforms/`). */
export type AdapterName = 'meet' | 'zoom' | 'teams' | 'jitsi' | 'generic';

/** The call site an adapter stands for, as the popup names it ("Zoom", "Microsoft Teams"). */
export const ADAPTER_LABELS: Record<AdapterName, string> = {
  meet: 'Google Meet',
  zoom: 'Zoom',
  teams: 'Microsoft Teams',
  jitsi: 'Jitsi Meet',
  generic: 'generic video page',
};

/**
 * One participant tile as the content script sees it in the call page's DOM.
 * `id` is the participant id (Meet: `data-participant-id`; generic: a stable `tile-N`).
 */
/**
 * Where a participant's name comes from: the site adapter's own name element (`site`), a rule
 * of the page's labels (content/page-labels.ts: `accessible-name`, `caption`, `overlay`,
 * `nearby`), the numbered fallback ("Tile N", "Participant N"), or the user, by hand (`hand`).
 */
export const NAME_SOURCES = ['site', 'accessible-name', 'caption', 'overlay', 'nearby', 'fallback', 'hand'] as const;
export type NameSource = (typeof NAME_SOURCES)[number];

export interface TileReport {
  id: string;
  /** Display name from the DOM; never parsed from ARIA labels on Meet. */
  name: string;
  /** Where `name` comes from; absent where no call page names it (the mirror's "You", a file's name). */
  nameFrom?: NameSource;
  /** Bounding rect of the tile's video in CSS px (viewport coordinates). */
  rect: Rect;
  /** False when the tile is hidden, off-screen or smaller than the minimum useful size. */
  visible: boolean;
  /**
   * Why a tile is not visible: `too-small` (under the minimum useful size), `off-screen`,
   * `not-rendered` (hidden by CSS, no size), `camera-off` (its video has no picture: paused or
   * ended with no frame, or its stream has no live video track; dom-helpers.ts `mediaState`).
   * Absent when visible.
   */
  hidden?: 'too-small' | 'off-screen' | 'not-rendered' | 'camera-off';
  /** True for the local user's own self-view tile. */
  isSelf: boolean;
  /**
   * The call site's active-speaker indicator for this tile: true while the site marks it as
   * speaking, false while it does not; absent where the adapter cannot read one (then speaking
   * is judged by the face).
   */
  speaking?: boolean;
  /**
   * True when the tile may show several people (a single page-filling video: a recording, a
   * webinar, a meeting room): each face in it becomes a participant of its own.
   */
  multiFace?: boolean;
}

/** Everything the content script reports about the page, sent whenever something changes. */
export interface TilesSnapshot {
  adapter: AdapterName;
  /**
   * The site adapter that recognised the page (by URL or DOM) but whose selectors matched no
   * tile, so `adapter` is the generic fallback; null or absent when there was no fallback.
   */
  fallbackFrom?: AdapterName | null;
  /** Hostname of the call page (e.g. `meet.google.com`, `127.0.0.1`). */
  site: string;
  /** Viewport size in CSS px (`innerWidth`, `innerHeight`). */
  viewport: { width: number; height: number };
  /** `window.devicePixelRatio` when the snapshot was taken. */
  devicePixelRatio: number;
  tiles: TileReport[];
  /** Milliseconds since the epoch. */
  takenAt: number;
}

/** User-facing switches; every field is persisted in `chrome.storage.session` while analysing. */
export interface AnalysisOptions {
  /** Draw emotion overlays on the call page's tiles. */
  overlays: boolean;
  /** Keep the capture open but analyse nothing and record nothing. */
  paused: boolean;
  /** Analyse the self-view tile only (for people who may not analyse others). */
  onlyMe: boolean;
  /**
   * Show each participant's reading as the change from their own baseline (their median over
   * their first minute with a readable face; engine/baseline.ts). Live only; off by default.
   */
  baseline: boolean;
}

export const DEFAULT_OPTIONS: AnalysisOptions = { overlays: false, paused: false, onlyMe: false, baseline: false };

/** The live, smoothed view of one participant. */
export interface ParticipantLive {
  id: string;
  name: string;
  /** Where `name` comes from (the people of a multi-person tile: their tile's); absent as in `TileReport`. */
  nameFrom?: NameSource;
  isSelf: boolean;
  /** True when the participant's tile is visible and is being analysed. */
  analysed: boolean;
  /** True when a face was found in the tile within the last `faceTimeoutMs` (see config). */
  faceVisible: boolean;
  /** Smoothed probabilities; null until a face has been seen. */
  probabilities: Probabilities | null;
  dominant: Emotion | null;
  /** Probability of the dominant class, in [0, 1]; null when `dominant` is null. */
  confidence: number | null;
  /** Face bounding box in CSS px of the call page's viewport; null without a face. */
  faceBox: Rect | null;
  /** Milliseconds since the epoch of the frame this view comes from. */
  frameTime: number;
  /** Why there is no emotion to show now (see `GapReason`); null while a face is shown. */
  gap: GapReason | null;
  /** Analyses of this participant's tile per second over the last few seconds (0 before two analyses). */
  updateHz: number;
  /** With gap `low-quality` ("can't tell"): what makes the face unreadable: `size` (too small), `pose` (turned away), `light` (too dark or washed out), `blur`; else null. */
  qualityLimit: 'size' | 'pose' | 'light' | 'blur' | null;
  /** Valence in [-1, 1] derived from `probabilities` (shared/affect.ts); null when they are. */
  valence: number | null;
  /** Arousal in [-1, 1] derived from `probabilities`; null when they are. */
  arousal: number | null;
  /** True while the face faces the screen with open eyes, false when turned away, eyes closed or no face in the tile; null when it can't tell. */
  attending: boolean | null;
  /** True while the participant speaks, by the call site's indicator or the face (`speakingSource`); null when it can't tell. */
  speaking: boolean | null;
  speakingSource: 'site' | 'face' | null;
  /** Quality in [0, 1] of the face now (inference/face-quality.ts); null without a face. */
  quality: number | null;
  /**
   * With the personal-baseline option on and the participant's baseline complete: the change of
   * the valence ([-2, 2]) and of each probability ([-1, 1]) from it; else null.
   */
  baseline: { valence: number; change: Record<Emotion, number> } | null;
}

export type AnalysisState = 'idle' | 'starting' | 'running' | 'stopping' | 'error';

/** Inference figures reported by the offscreen document. */
export interface PipelineStats {
  /** tfjs backend in use: 'webgpu' | 'webgl' | 'wasm' | 'cpu'. */
  backend: string | null;
  /** Why that backend was chosen (e.g. warm-up timings), for the popup and logs. */
  backendReason: string;
  /** Frames analysed per second over the last few seconds. */
  fps: number;
  /** Median wall time of one frame's inference (all tiles) over the last few seconds, ms. */
  inferenceMs: number;
  /** Median time from a frame's capture to its result being published, ms. */
  latencyMs: number;
}

/** What the popup shows; pushed by the background to each open view port (`popup/view`, shared/view-port.ts). */
export interface AnalysisView {
  state: AnalysisState;
  /** Tab being analysed, or null. */
  tabId: number | null;
  meetingId: string | null;
  options: AnalysisOptions;
  adapter: AdapterName | null;
  /** The site adapter whose selectors stopped matching (the generic adapter is in use); null or absent when none. */
  fallbackFrom?: AdapterName | null;
  site: string | null;
  stats: PipelineStats | null;
  participants: ParticipantLive[];
  /** Human-readable problem or notice ("no self view found", capture error), or null. */
  message: string | null;
  /** ms since the epoch when the live figures (`stats`, `participants`) were produced; null when there are none. */
  liveAt: number | null;
  /** Why the timeline is not being written ("the database cannot be written: ..."), or null while it is. */
  notRecording: string | null;
  /** The meeting analysed last in this browser session (the running one, or the one just stopped); what Export exports. */
  lastMeetingId: string | null;
  /** True when the analysis stopped by a fault that a user action can resume on the same meeting (the Resume button). */
  resumable: boolean;
}
