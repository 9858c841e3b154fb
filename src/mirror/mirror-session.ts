/**
 * The mirror's engine: the live pipeline (engine/pipeline.ts) over the camera's `<video>` as
 * one tile, the user's own, with every frame's face geometry (box, landmarks, head pose) handed
 * to the page for drawing, and Record / Stop writing the per-second records as a meeting of
 * site `camera` in the timeline store, so the meetings page, the report and the exports work
 * on it. Frames never leave the page; only the per-second records of a recording are stored.
 */
import { createAnalyzerCache, type BackendSelection } from '../inference/backend.ts';
import { makeConfig, type InferenceConfig } from '../inference/config.ts';
import type { AnalyseMode, TileAnalysis, TileAnalyzer, TileImage } from '../inference/types.ts';
import { TilePipeline } from '../engine/pipeline.ts';
import { videoFrameSource } from '../engine/video-source.ts';
import type { LiveUpdate } from '../shared/messages.ts';
import { openTimelineStore, type SecondRecord, type TimelineStore } from '../shared/timeline-store.ts';
import type { TilesSnapshot } from '../shared/types.ts';
import { facesInVideo, type MirrorFace } from './faces.ts';

/** The one tile (and participant) id of the mirror: the user. */
export const MIRROR_TILE_ID = 'camera';

/** The participant's name in the live view and in a recording. */
export const MIRROR_NAME = 'You';

/** Site (and adapter) of a recording's meeting. */
export const MIRROR_SITE = 'camera';

/** Frames the mirror asks for per second; a frame still being analysed skips the next tick. */
export const MIRROR_TARGET_FPS = 30;

/** The face geometry of the latest analysed frame. */
export interface MirrorFrame {
  /** The picture's size, video px (the coordinates of `faces`). */
  width: number;
  height: number;
  /** The user's face (the largest), or none. */
  faces: MirrorFace[];
  /**
   * New pictures analysed per second over the last `FPS_WINDOW_MS` (a frame whose picture did
   * not change since the last one, as when the loop runs faster than the camera, not counted).
   */
  analysedFps: number;
}

/** The window the mirror's frame rate is measured over, ms. */
export const FPS_WINDOW_MS = 2000;

/** What the session reports. */
export interface MirrorCallbacks {
  /** After every analysed frame: the live view (participant `camera`, stats with backend and fps). */
  onLive(update: LiveUpdate): void;
  /** After every analysed frame: where the face is, for the overlay. */
  onFrame(frame: MirrorFrame): void;
  /** A frame or a store write failed; the loop goes on. */
  onError(error: Error): void;
}

/** A finished recording. */
export interface MirrorRecording {
  meetingId: string;
  /** Its length, s. */
  seconds: number;
}

/**
 * Hands each analysis of the wrapped analyzer's one tile to `onResult` (face geometry in the
 * tile image's px) and otherwise passes everything through. Never disposes of the wrapped
 * analyzer (the page's cache owns it).
 */
class WatchedAnalyzer implements TileAnalyzer {
  constructor(
    private readonly inner: TileAnalyzer,
    private readonly onResult: (image: TileImage, result: TileAnalysis) => void,
  ) {}

  get tf() {
    return this.inner.tf;
  }

  get backend() {
    return this.inner.backend;
  }

  async analyse(tiles: TileImage[], mode?: AnalyseMode, now?: number, keep?: ReadonlySet<string>) {
    const out = await this.inner.analyse(tiles, mode, now, keep);
    out.tiles.forEach((r, k) => this.onResult(tiles[k]!, r));
    return out;
  }

  dispose(): void {}
}

const analyzers = createAnalyzerCache();

/**
 * The mirror's analysis of one `<video>` showing the camera. `MirrorSession.create`, then
 * `start()`; `record()` / `stopRecording()`; `stop()` when the camera goes.
 */
export class MirrorSession {
  private pipeline: TilePipeline | null = null;
  private recordingId: string | null = null;
  private recordingStart = 0;
  private store: TimelineStore | null = null;
  private writes: Promise<void> = Promise.resolve();
  private lastFaces: MirrorFace[] = [];
  /** performance.now() of each new picture analysed in the last FPS_WINDOW_MS. */
  private analysedAt: number[] = [];
  private readonly onResize = () => this.pipeline?.setTiles(this.snapshot());

  private constructor(
    private readonly video: HTMLVideoElement,
    private readonly selection: BackendSelection,
    private readonly config: InferenceConfig,
    private readonly callbacks: MirrorCallbacks,
  ) {}

  /**
   * Loads the models (once per page) and makes a session over `video`.
   * @throws Error when no inference backend works here.
   */
  static async create(video: HTMLVideoElement, callbacks: MirrorCallbacks, config: InferenceConfig = makeConfig({ backend: { choice: 'auto' }, live: { targetFps: MIRROR_TARGET_FPS } })): Promise<MirrorSession> {
    return new MirrorSession(video, await analyzers.get(config), config, callbacks);
  }

  /** The backend and why it was chosen, e.g. `wasm: fastest at warm-up (...)`. */
  get backendReason(): string {
    return this.selection.reason;
  }

  /** The recording's meeting id, or null while not recording. */
  get recording(): string | null {
    return this.recordingId;
  }

  /** Starts (or restarts) analysing the video, recording nothing. */
  start(): void {
    this.swapPipeline(null);
    this.video.addEventListener('resize', this.onResize);
  }

  /**
   * Starts recording: a new meeting of site `camera`, written second by second from now on.
   * @returns the meeting's id.
   * @throws Error when the store cannot be opened or written (nothing is recorded then).
   */
  async record(): Promise<string> {
    if (this.recordingId) return this.recordingId;
    this.store ??= await openTimelineStore();
    const id = `camera-${crypto.randomUUID()}`;
    const startedAt = Date.now();
    await this.store.putMeeting({ schemaVersion: 1, id, site: MIRROR_SITE, adapter: MIRROR_SITE, startedAt, endedAt: null, participants: [] });
    this.recordingId = id;
    this.recordingStart = startedAt;
    this.swapPipeline(id);
    return id;
  }

  /**
   * Stops recording: the seconds not yet written are written and the meeting gets its end
   * time. Analysis goes on. Null when nothing was being recorded.
   * @throws Error when the store cannot be written (the meeting is still ended where possible).
   */
  async stopRecording(): Promise<MirrorRecording | null> {
    const id = this.recordingId;
    if (!id || !this.store) return null;
    const records = this.pipeline?.stop() ?? [];
    this.recordingId = null;
    this.write(records);
    const endedAt = Date.now();
    try {
      await this.writes;
    } finally {
      await this.store.endMeeting(id, endedAt);
    }
    if (this.pipeline) this.swapPipeline(null);
    return { meetingId: id, seconds: (endedAt - this.recordingStart) / 1000 };
  }

  /** Stops analysing (the camera went): a recording in progress is ended and kept first. */
  async stop(): Promise<MirrorRecording | null> {
    this.video.removeEventListener('resize', this.onResize);
    let recording: MirrorRecording | null = null;
    try {
      recording = await this.stopRecording();
    } finally {
      this.pipeline?.stop();
      this.pipeline = null;
      this.lastFaces = [];
      this.store?.close();
      this.store = null;
    }
    return recording;
  }

  /** The tile layout: the whole picture, the user's own. */
  private snapshot(): TilesSnapshot {
    const width = this.video.videoWidth || 1;
    const height = this.video.videoHeight || 1;
    return {
      adapter: 'generic',
      site: MIRROR_SITE,
      viewport: { width, height },
      devicePixelRatio: 1,
      tiles: [{ id: MIRROR_TILE_ID, name: MIRROR_NAME, rect: { x: 0, y: 0, width, height }, visible: true, isSelf: true }],
      takenAt: Date.now(),
    };
  }

  private write(records: SecondRecord[]): void {
    const store = this.store;
    if (!store || records.length === 0) return;
    this.writes = this.writes.then(() => store.addSeconds(records)).catch((err: unknown) => this.callbacks.onError(new Error(`The recording could not be saved: ${err instanceof Error ? err.message : String(err)}`)));
  }

  /** Replaces the running pipeline by a new one recording into `meetingId` (null: recording nothing). */
  private swapPipeline(meetingId: string | null): void {
    this.pipeline?.stop();
    const analyzer = new WatchedAnalyzer(this.selection.analyzer, (image, result) => {
      const width = this.video.videoWidth;
      const height = this.video.videoHeight;
      // A picture that did not change keeps the faces drawn; a tile skipped for another reason has none.
      if (result.status === 'analysed') this.lastFaces = facesInVideo(image, result, width, height);
      else if (result.status !== 'unchanged') this.lastFaces = [];
      const t = performance.now();
      if (result.status !== 'unchanged') this.analysedAt.push(t);
      while (this.analysedAt.length && this.analysedAt[0]! < t - FPS_WINDOW_MS) this.analysedAt.shift();
      const span = this.analysedAt.length > 1 ? t - this.analysedAt[0]! : 0;
      this.callbacks.onFrame({ width, height, faces: this.lastFaces, analysedFps: span > 0 ? ((this.analysedAt.length - 1) * 1000) / span : 0 });
    });
    const recording = meetingId !== null;
    const pipeline = new TilePipeline(
      analyzer,
      this.config,
      { overlays: false, paused: false, onlyMe: false, baseline: false },
      { tabId: -1, meetingId: meetingId ?? 'mirror-preview', startedAt: recording ? this.recordingStart : Date.now(), backendReason: this.selection.reason },
      {
        onLive: (update) => this.callbacks.onLive(update),
        onRecords: (records) => {
          if (recording) this.write(records);
        },
        onError: (err) => this.callbacks.onError(err),
      },
    );
    pipeline.setTiles(this.snapshot());
    pipeline.start(videoFrameSource(this.video));
    this.pipeline = pipeline;
  }
}
