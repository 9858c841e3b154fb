/**
 * The per-frame loop of the offscreen document: samples the tab capture at `targetFps`,
 * crops every analysed tile from the frame by the content script's rects, runs the
 * analyzer, smooths each participant's probabilities, aggregates per-second timeline
 * records and publishes live results. One frame in flight at a time: a frame that would
 * start while the previous one is still being analysed is skipped, never queued.
 */
import { dominantEmotion, type Probabilities } from '../shared/emotions.ts';
import type { LiveUpdate } from '../shared/messages.ts';
import type { SecondRecord } from '../shared/timeline-store.ts';
import type { AnalysisOptions, ParticipantLive, PipelineStats, Rect, TilesSnapshot } from '../shared/types.ts';
import { SecondAggregator } from './aggregate.ts';
import type { InferenceConfig } from './config.ts';
import type { TileAnalyzer, TileCrop } from './face-emotion.ts';
import { cssRectToFrame } from './geometry.ts';
import { EmotionSmoother } from './smoothing.ts';

interface ParticipantState {
  id: string;
  name: string;
  isSelf: boolean;
  smoother: EmotionSmoother;
  lastFaceAt: number;
  /** Consecutive analysed frames with a face. */
  faceStreak: number;
  /** True once `minFaceFrames` consecutive faces were found, until the face is lost for `faceTimeoutMs`. */
  faceConfirmed: boolean;
  faceBoxFrame: Rect | null;
  analysed: boolean;
  frameTime: number;
}

/** Callbacks the loop reports through. */
export interface PipelineSinks {
  /** Called after every analysed frame (and when options change). */
  onLive(update: LiveUpdate): void;
  /** Called about once a second with the completed seconds' records. */
  onRecords(records: SecondRecord[]): void;
  /** Called when a frame fails; the loop goes on. */
  onError(error: Error): void;
}

/** Rolling window of the last `size` numbers. */
class RollingWindow {
  private values: number[] = [];
  constructor(private readonly size: number) {}
  push(v: number): void {
    this.values.push(v);
    if (this.values.length > this.size) this.values.shift();
  }
  median(): number {
    if (!this.values.length) return 0;
    const s = [...this.values].sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)]!;
  }
  get all(): readonly number[] {
    return this.values;
  }
}

/**
 * A frame source other than a `<video>`: composes a frame on demand. Firefox's background
 * page uses it (tiles read by the content script, drawn where the page shows them), since
 * Firefox has no tab capture. The frame must map onto the page's viewport as a tab capture
 * does (frame px = viewport CSS px x width / viewport width), so the tiles' rects crop it.
 */
export interface FrameSource {
  /** The current frame (`width` x `height` px), or null when there is none yet. Must not throw for a missing frame. */
  frame(): Promise<{ image: CanvasImageSource; width: number; height: number } | null>;
}

/** Counters for benchmarks (`npm run bench`), read through the offscreen document's `__callmoodBench`. */
export interface PipelineCounters {
  /** Frames analysed (at least one tile). */
  frames: number;
  /** Tile analyses (one per analysed tile per frame). */
  tileAnalyses: number;
  /** Tile analyses that found a face. */
  faces: number;
  /** Tile analyses whose face was followed by the face mesh instead of detected. */
  tracked: number;
  /** Wall time of each analysed frame's inference, ms (the most recent 20,000). */
  inferenceMs: number[];
  /** ms since the epoch when the counters were last reset. */
  since: number;
}

/** The frame loop. Create, `setTiles`/`setOptions` as messages arrive, `start(video)`, `stop()`. */
export class TilePipeline {
  private tiles: TilesSnapshot | null = null;
  private participants = new Map<string, ParticipantState>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private busy = false;
  private running = false;
  private readonly aggregator: SecondAggregator;
  private readonly frameTimes = new RollingWindow(30);
  private readonly inferenceMs = new RollingWindow(30);
  private readonly latencyMs = new RollingWindow(30);
  private lastFlush = 0;
  private message: string | null = null;
  private latest: LiveUpdate | null = null;
  private frameSize = { width: 0, height: 0 };
  private counters: PipelineCounters = { frames: 0, tileAnalyses: 0, faces: 0, tracked: 0, inferenceMs: [], since: Date.now() };

  constructor(
    private readonly analyzer: TileAnalyzer,
    private readonly config: InferenceConfig,
    private options: AnalysisOptions,
    private readonly meta: { tabId: number; meetingId: string; startedAt: number; backendReason: string },
    private readonly sinks: PipelineSinks,
  ) {
    this.aggregator = new SecondAggregator(meta.meetingId, meta.startedAt);
  }

  /** Latest published update, or null before the first frame. */
  get live(): LiveUpdate | null {
    return this.latest;
  }

  /** Returns the counters since the last reset, and resets them when `reset` is true. */
  takeCounters(reset = false): PipelineCounters {
    const c = this.counters;
    if (reset) this.counters = { frames: 0, tileAnalyses: 0, faces: 0, tracked: 0, inferenceMs: [], since: Date.now() };
    return c;
  }

  /** Replaces the tile layout (from the content script). */
  setTiles(snapshot: TilesSnapshot): void {
    this.tiles = snapshot;
    const ids = new Set(snapshot.tiles.map((t) => t.id));
    for (const t of snapshot.tiles) {
      const p = this.participants.get(t.id);
      if (p) {
        p.name = t.name;
        p.isSelf = t.isSelf;
      } else {
        this.participants.set(t.id, {
          id: t.id,
          name: t.name,
          isSelf: t.isSelf,
          smoother: new EmotionSmoother(this.config.smoothingTauMs),
          lastFaceAt: 0,
          faceStreak: 0,
          faceConfirmed: false,
          faceBoxFrame: null,
          analysed: false,
          frameTime: 0,
        });
      }
    }
    // Participants who left are dropped from the live view; their timeline stays in the store,
    // and a participant who comes back with the same id continues it.
    for (const id of this.participants.keys()) if (!ids.has(id)) this.participants.delete(id);
  }

  /** Applies new user options (pause, only me, overlays). */
  setOptions(options: AnalysisOptions): void {
    this.options = options;
    if (options.paused) for (const p of this.participants.values()) p.analysed = false;
    this.publish(Date.now(), false);
  }

  /** Starts sampling `video` (the tab capture) or a FrameSource. */
  start(video: HTMLVideoElement | FrameSource): void {
    this.running = true;
    const interval = 1000 / this.config.targetFps;
    const tick = async () => {
      if (!this.running) return;
      const started = performance.now();
      if (!this.busy) {
        this.busy = true;
        try {
          await this.analyseFrame(video);
        } catch (err) {
          this.sinks.onError(err instanceof Error ? err : new Error(String(err)));
        } finally {
          this.busy = false;
        }
      }
      if (this.running) this.timer = setTimeout(tick, Math.max(0, interval - (performance.now() - started)));
    };
    this.timer = setTimeout(tick, 0);
  }

  /** Stops the loop and emits every remaining second's records. */
  stop(): SecondRecord[] {
    this.running = false;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    return this.aggregator.flush(Infinity);
  }

  private analysedTiles() {
    if (!this.tiles || this.options.paused) return [];
    return this.tiles.tiles.filter((t) => t.visible && (!this.options.onlyMe || t.isSelf));
  }

  private async analyseFrame(video: HTMLVideoElement | FrameSource): Promise<void> {
    const frameTime = Date.now();
    const frame = 'frame' in video ? await video.frame() : { image: video, width: video.videoWidth, height: video.videoHeight };
    const tiles = this.analysedTiles();
    const width = frame?.width ?? 0;
    const height = frame?.height ?? 0;
    this.message = this.noticeFor(width, height);
    if (!this.tiles || tiles.length === 0 || width === 0 || height === 0) {
      for (const p of this.participants.values()) p.analysed = false;
      this.publish(frameTime, false);
      return;
    }
    this.frameSize = { width, height };
    const viewport = this.tiles.viewport;
    const crops: TileCrop[] = tiles.map((t) => ({ key: t.id, rect: cssRectToFrame(t.rect, viewport, width, height) }));
    const { tiles: results, timing } = await this.analyzer.analyse(frame!.image, crops);
    this.frameTimes.push(frameTime);
    this.inferenceMs.push(timing.totalMs);
    const analysed = results.filter((r) => r.status === 'analysed');
    this.counters.frames++;
    this.counters.tileAnalyses += analysed.length;
    this.counters.faces += analysed.filter((r) => r.face).length;
    this.counters.tracked += analysed.filter((r) => r.tracked).length;
    if (this.counters.inferenceMs.length < 20_000) this.counters.inferenceMs.push(timing.totalMs);
    // Deferred tiles (no face at their last detection, retried later) still count as analysed.
    const analysedIds = new Set(results.map((r) => r.key));
    for (const p of this.participants.values()) p.analysed = analysedIds.has(p.id);
    for (const r of results) {
      const p = this.participants.get(r.key);
      if (!p) continue; // left while the frame was analysed
      if (r.status === 'deferred') {
        // Nothing new about this tile: it still has no face (the aggregator gets a no-face sample).
        this.aggregator.add(p.id, p.name, frameTime, null);
        continue;
      }
      if (r.status === 'unchanged') {
        // Same pixels as at the last analysis: the last result holds (a face on a frozen frame
        // stays shown); the timeline gets no new sample.
        if (p.faceBoxFrame) p.lastFaceAt = frameTime;
        continue;
      }
      p.frameTime = frameTime;
      let probabilities: Probabilities | null = null;
      p.faceStreak = r.face ? p.faceStreak + 1 : 0;
      if (p.faceStreak >= this.config.minFaceFrames) p.faceConfirmed = true;
      if (r.face && p.faceConfirmed) {
        probabilities = r.face.probabilities;
        p.smoother.update(probabilities, frameTime);
        p.lastFaceAt = frameTime;
        p.faceBoxFrame = r.face.box;
      } else if (frameTime - p.lastFaceAt > this.config.faceTimeoutMs) {
        p.faceConfirmed = p.faceStreak >= this.config.minFaceFrames;
        p.faceBoxFrame = null;
      }
      this.aggregator.add(p.id, p.name, frameTime, probabilities);
    }
    this.publish(frameTime, true);
    if (frameTime - this.lastFlush >= 1000) {
      this.lastFlush = frameTime;
      const records = this.aggregator.flush(frameTime);
      if (records.length) this.sinks.onRecords(records);
    }
  }

  private noticeFor(width: number, height: number): string | null {
    if (this.options.paused) return 'Paused: nothing is analysed or recorded.';
    if (width === 0 || height === 0) return 'Waiting for the tab capture to deliver frames…';
    if (!this.tiles || this.tiles.tiles.length === 0) return 'No video tiles found on this page yet.';
    if (this.options.onlyMe && !this.tiles.tiles.some((t) => t.isSelf)) return 'Only me: no self-view tile found on this page.';
    if (!this.tiles.tiles.some((t) => t.visible)) return 'No tile is visible: scroll the call into view.';
    return null;
  }

  private stats(): PipelineStats {
    const times = this.frameTimes.all;
    const span = times.length > 1 ? (times[times.length - 1]! - times[0]!) / 1000 : 0;
    return {
      backend: this.analyzer.backend,
      backendReason: this.meta.backendReason,
      fps: span > 0 ? (times.length - 1) / span : 0,
      inferenceMs: this.inferenceMs.median(),
      latencyMs: this.latencyMs.median(),
    };
  }

  /** Publishes the live view; `analysed` says whether it carries a new frame's results (counted in latency). */
  private publish(frameTime: number, analysed: boolean): void {
    const now = Date.now();
    const viewport = this.tiles?.viewport;
    const participants: ParticipantLive[] = [...this.participants.values()].map((p) => {
      const faceVisible = p.analysed && now - p.lastFaceAt <= this.config.faceTimeoutMs && p.smoother.value !== null;
      const probabilities = faceVisible ? p.smoother.value : null;
      const dom = probabilities ? dominantEmotion(probabilities) : null;
      let faceBox: Rect | null = null;
      if (faceVisible && p.faceBoxFrame && viewport && this.frameSize.width > 0) {
        const sx = viewport.width / this.frameSize.width;
        const sy = viewport.height / this.frameSize.height;
        const b = p.faceBoxFrame;
        faceBox = { x: b.x * sx, y: b.y * sy, width: b.width * sx, height: b.height * sy };
      }
      return {
        id: p.id,
        name: p.name,
        isSelf: p.isSelf,
        analysed: p.analysed,
        faceVisible,
        probabilities,
        dominant: dom?.emotion ?? null,
        confidence: dom?.confidence ?? null,
        faceBox,
        frameTime: p.frameTime,
      };
    });
    this.latest = {
      tabId: this.meta.tabId,
      meetingId: this.meta.meetingId,
      stats: this.stats(),
      participants,
      message: this.message,
    };
    if (analysed) this.latencyMs.push(Date.now() - frameTime);
    this.sinks.onLive(this.latest);
  }
}
