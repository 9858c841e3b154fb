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
import type { AnalysisOptions, ParticipantLive, PipelineStats, Rect, TileReport, TilesSnapshot } from '../shared/types.ts';

/** Display name of person `n` of a multi-person tile named `tileName`. */
function personName(tileName: string, n: number): string {
  return `${tileName} · person ${n}`;
}
import { SecondAggregator } from './aggregate.ts';
import type { InferenceConfig } from './config.ts';
import type { FaceAnalysis, TileAnalysis, TileAnalyzer, TileCrop } from './face-emotion.ts';
import { FaceIdentities } from './face-identity.ts';
import { cssRectToFrame, frameRectToCss } from './geometry.ts';
import { EmotionSmoother } from './smoothing.ts';

interface ParticipantState {
  id: string;
  /** Id of the tile the participant is seen in (their own id, or the multi-person tile's). */
  tileId: string;
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
  /** The people of each multi-person tile (TileReport.multiFace), by tile id. */
  private readonly identities = new Map<string, FaceIdentities>();
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
    const byId = new Map(snapshot.tiles.map((t) => [t.id, t]));
    for (const t of snapshot.tiles) {
      const people = this.identities.get(t.id);
      if (t.multiFace && people && people.known.length > 0) continue; // its people stand for it
      const p = this.participants.get(t.id);
      if (p) {
        p.name = t.name;
        p.isSelf = t.isSelf;
      } else {
        this.participants.set(t.id, this.newParticipant(t.id, t.name, t.isSelf, t.id));
      }
    }
    // Participants who left are dropped from the live view; their timeline stays in the store,
    // and a participant who comes back with the same id continues it. The people of a
    // multi-person tile follow their tile (and its renames).
    for (const [id, p] of this.participants) {
      const tile = byId.get(p.tileId);
      if (!tile || (p.id !== p.tileId && !tile.multiFace)) this.participants.delete(id);
      else if (p.id !== p.tileId) p.name = personName(tile.name, Number(p.id.slice(p.id.lastIndexOf('#') + 1)));
    }
    for (const id of this.identities.keys()) if (!byId.get(id)?.multiFace) this.identities.delete(id);
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
    const crops: TileCrop[] = tiles.map((t) => ({ key: t.id, rect: cssRectToFrame(t.rect, viewport, width, height), ...(t.multiFace ? { maxFaces: this.config.maxFacesPerTile } : {}) }));
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
    for (const p of this.participants.values()) p.analysed = analysedIds.has(p.tileId);
    for (const r of results) {
      // The layout now (it may have changed while the frame was analysed).
      const tile = this.tiles?.tiles.find((t) => t.id === r.key);
      if (tile?.multiFace) this.applyPeople(tile, r, frameTime);
      else if (this.participants.has(r.key)) this.applyTile(this.participants.get(r.key)!, r.status, r.face, frameTime);
      // (otherwise the participant left while the frame was analysed)
    }
    this.publish(frameTime, true);
    if (frameTime - this.lastFlush >= 1000) {
      this.lastFlush = frameTime;
      const records = this.aggregator.flush(frameTime);
      if (records.length) this.sinks.onRecords(records);
    }
  }

  /**
   * One frame's result for one participant: `status` and `face` as the analyzer gave them
   * (see TileAnalysis). A face counts after `minFaceFrames` consecutive frames; the timeline
   * gets one sample per analysed frame (null without a face), none for an unchanged tile.
   */
  private applyTile(p: ParticipantState, status: TileAnalysis['status'], face: FaceAnalysis | null, frameTime: number): void {
    if (status === 'deferred') {
      // Nothing new about this tile: it still has no face (the aggregator gets a no-face sample).
      this.aggregator.add(p.id, p.name, frameTime, null);
      return;
    }
    if (status === 'unchanged') {
      // Same pixels as at the last analysis: the last result holds (a face on a frozen frame
      // stays shown); the timeline gets no new sample.
      if (p.faceBoxFrame) p.lastFaceAt = frameTime;
      return;
    }
    p.frameTime = frameTime;
    let probabilities: Probabilities | null = null;
    p.faceStreak = face ? p.faceStreak + 1 : 0;
    if (p.faceStreak >= this.config.minFaceFrames) p.faceConfirmed = true;
    if (face && p.faceConfirmed) {
      probabilities = face.probabilities;
      p.smoother.update(probabilities, frameTime);
      p.lastFaceAt = frameTime;
      p.faceBoxFrame = face.box;
    } else if (frameTime - p.lastFaceAt > this.config.faceTimeoutMs) {
      p.faceConfirmed = p.faceStreak >= this.config.minFaceFrames;
      p.faceBoxFrame = null;
    }
    this.aggregator.add(p.id, p.name, frameTime, probabilities);
  }

  /**
   * A multi-person tile's frame: each face is assigned to a numbered person of the tile by
   * position and appearance (face-identity.ts), and each person is a participant of their own
   * (`<tile id>#<n>`, named "<tile name> · person <n>"). The tile's own participant stands in
   * until the first person is seen.
   */
  private applyPeople(tile: TileReport, r: TileAnalysis, frameTime: number): void {
    let identities = this.identities.get(tile.id);
    if (!identities) this.identities.set(tile.id, (identities = new FaceIdentities()));
    const faces = r.status === 'analysed' ? r.faces : [];
    const numbers = identities.assign(faces.map((f) => ({ box: f.box, appearance: f.appearance ?? null })), frameTime);
    const byPerson = new Map(numbers.map((n, k) => [n, faces[k]!]));
    for (const n of identities.known) {
      const id = `${tile.id}#${n}`;
      let p = this.participants.get(id);
      if (!p) this.participants.set(id, (p = this.newParticipant(id, personName(tile.name, n), false, tile.id)));
      p.analysed = true;
      this.applyTile(p, r.status, byPerson.get(n) ?? null, frameTime);
    }
    const own = this.participants.get(tile.id);
    if (own && identities.known.length > 0) this.participants.delete(tile.id);
    else if (own) this.applyTile(own, r.status, null, frameTime);
  }

  private newParticipant(id: string, name: string, isSelf: boolean, tileId: string): ParticipantState {
    return {
      id,
      tileId,
      name,
      isSelf,
      smoother: new EmotionSmoother(this.config.smoothingTauMs),
      lastFaceAt: 0,
      faceStreak: 0,
      faceConfirmed: false,
      faceBoxFrame: null,
      analysed: false,
      frameTime: 0,
    };
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
        faceBox = frameRectToCss(p.faceBoxFrame, viewport, this.frameSize.width, this.frameSize.height);
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
