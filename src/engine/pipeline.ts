/**
 * The per-frame loop of a live analysis: at `live.targetFps` (one frame in flight; a tick
 * that comes while the previous frame is still being analysed is skipped, never queued) it
 * asks the frame source for one image per analysed tile, runs the analyzer, smooths each
 * participant's probabilities, aggregates per-second timeline records and publishes the live
 * view.
 */
import type { LiveUpdate } from '../shared/messages.ts';
import { RollingWindow } from '../shared/stats.ts';
import type { SecondRecord } from '../shared/timeline-store.ts';
import type { AnalysisOptions, PipelineStats, Rect, TileReport, TilesSnapshot } from '../shared/types.ts';
import type { InferenceConfig } from '../inference/config.ts';
import type { FaceAnalysis, TileAnalysis, TileAnalyzer, TilePixels } from '../inference/types.ts';
import { SecondAggregator } from './aggregate.ts';
import { FaceIdentities } from './face-identity.ts';
import { Participant } from './participant.ts';
import { scheduleTiles, updateCost } from './schedule.ts';

/** Display name of person `n` of a multi-person tile named `tileName`. */
function personName(tileName: string, n: number): string {
  return `${tileName} · person ${n}`;
}

/** The tiles a frame analyses under `options`: none while paused, only the self view with "only me", visible ones only. */
function analysedTiles(tiles: readonly TileReport[], options: AnalysisOptions): TileReport[] {
  return options.paused ? [] : tiles.filter((t) => t.visible && (!options.onlyMe || t.isSelf));
}

/**
 * The longest side, px, of the image a frame source makes of `tile` under `live.tileImageMaxSide`
 * = `maxSide`: the longer side at most `maxSide` for a one-person tile (the detector sees the
 * whole tile); for a multi-person tile the shorter side at most `maxSide`, since the detector
 * searches it in square windows of that side, and a wide picture cut to `maxSide` across
 * would shrink its faces below what the detector finds.
 */
export function imageMaxSide(tile: Pick<TileReport, 'rect' | 'multiFace'>, maxSide: number): number {
  const long = Math.max(tile.rect.width, tile.rect.height);
  const short = Math.min(tile.rect.width, tile.rect.height);
  return tile.multiFace && short > 0 ? Math.round((maxSide * long) / short) : maxSide;
}

/** One tile's image as a frame source delivers it. */
export interface TileCapture {
  /** The tile's id (TileReport.id). */
  id: string;
  /** The tile's pixels, `width` x `height` (at most `maxSide` on the longer side). */
  image: TilePixels;
  width: number;
  height: number;
  /** The region of the page's viewport the image shows, CSS px (the tile's rect, clipped to what the source sees). */
  cssRect: Rect;
}

/**
 * Where a frame's pixels come from: Chrome's tab capture (offscreen/tab-frame-source.ts) or
 * Firefox's content script (background/content-frame-source.ts). Hands the pipeline one
 * image per tile, at most the size inference needs.
 */
export interface FrameSource {
  /**
   * Reads `tiles` now, each scaled so its longer side is at most `imageMaxSide(tile, maxSide)` px. Tiles it cannot
   * read are left out. Null when the source has no frame yet. Must not throw for a missing frame.
   */
  read(tiles: readonly TileReport[], viewport: { width: number; height: number }, maxSide: number): Promise<TileCapture[] | null>;
  /** A sentence for the live view about tiles that cannot be read, or null. */
  notice?(tiles: readonly TileReport[]): string | null;
}

/** Callbacks the loop reports through. */
export interface PipelineSinks {
  /** Called after every analysed frame (and when options change). */
  onLive(update: LiveUpdate): void;
  /** Called in the first frame after each second ends, with its records. */
  onRecords(records: SecondRecord[]): void;
  /** Called when a frame fails; the loop goes on. */
  onError(error: Error): void;
}

/** Counters for benchmarks (`npm run bench`), read through the benchmark build's `__callmoodBench`. */
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

/** The frame loop. Create, `setTiles`/`setOptions` as messages arrive, `start(source)`, `stop()`. */
export class TilePipeline {
  /** The layout the loop works on: the latest snapshot less the excluded tiles. */
  private tiles: TilesSnapshot | null = null;
  /** The latest snapshot as the content script sent it. */
  private sentTiles: TilesSnapshot | null = null;
  /** Participant (and tile) ids the user excluded: never analysed, shown or recorded again in this run. */
  private readonly excluded = new Set<string>();
  private participants = new Map<string, Participant>();
  /** The people of each multi-person tile (TileReport.multiFace), by tile id. */
  private readonly identities = new Map<string, FaceIdentities>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private busy = false;
  private running = false;
  private readonly aggregator: SecondAggregator;
  private readonly frameTimes = new RollingWindow(30);
  private readonly inferenceMs = new RollingWindow(30);
  private readonly latencyMs = new RollingWindow(30);
  private message: string | null = null;
  private latest: LiveUpdate | null = null;
  private counters: PipelineCounters;
  /** Per tile id, the frame time of its last analysis (the frame budget's round-robin). */
  private readonly lastTurn = new Map<string, number>();
  /** Frame time of the previous step, ms (null before the first). */
  private lastStepAt: number | null = null;
  /** Recent cost of one tile's read and analysis, ms (null before the first frame). */
  private perTileMs: number | null = null;

  constructor(
    private readonly analyzer: TileAnalyzer,
    private readonly config: InferenceConfig,
    private options: AnalysisOptions,
    private readonly meta: { tabId: number; meetingId: string; startedAt: number; backendReason: string },
    private readonly sinks: PipelineSinks,
    /** The clock, ms since the epoch (a virtual one in the live-mode evaluation). */
    private readonly clock: () => number = Date.now,
  ) {
    this.aggregator = new SecondAggregator(meta.meetingId, meta.startedAt);
    this.counters = { frames: 0, tileAnalyses: 0, faces: 0, tracked: 0, inferenceMs: [], since: clock() };
  }

  /** Latest published update, or null before the first frame. */
  get live(): LiveUpdate | null {
    return this.latest;
  }

  /** Returns the counters since the last reset, and resets them when `reset` is true. */
  takeCounters(reset = false): PipelineCounters {
    const c = this.counters;
    if (reset) this.counters = { frames: 0, tileAnalyses: 0, faces: 0, tracked: 0, inferenceMs: [], since: this.clock() };
    return c;
  }

  /** True when participant or tile `id` is excluded (see `exclude`). */
  isExcluded(id: string): boolean {
    return this.excluded.has(id);
  }

  /**
   * Excludes participants for the rest of the run: their tiles are skipped (a tile id also
   * excludes every person of a multi-person tile, a `<tile id>#<n>` id only that person), they
   * leave the live view at once, and their seconds not yet handed on are dropped.
   */
  exclude(ids: Iterable<string>): void {
    for (const id of ids) this.excluded.add(id);
    for (const [id, p] of this.participants) {
      if (!this.excluded.has(id) && !this.excluded.has(p.tileId)) continue;
      this.participants.delete(id);
      this.aggregator.forget(id);
    }
    for (const id of this.excluded) this.lastTurn.delete(id);
    if (this.sentTiles) this.setTiles(this.sentTiles);
    if (this.latest) this.publish(this.clock(), false);
  }

  /** Replaces the tile layout (from the content script); excluded tiles are left out. */
  setTiles(sent: TilesSnapshot): void {
    this.sentTiles = sent;
    const snapshot = this.excluded.size ? { ...sent, tiles: sent.tiles.filter((t) => !this.excluded.has(t.id)) } : sent;
    this.tiles = snapshot;
    const byId = new Map(snapshot.tiles.map((t) => [t.id, t]));
    for (const t of snapshot.tiles) {
      const people = this.identities.get(t.id);
      if (t.multiFace && people && people.known.length > 0) continue; // its people stand for it
      const p = this.participants.get(t.id);
      if (p) {
        p.name = t.name;
        p.isSelf = t.isSelf;
        p.nameFrom = t.nameFrom;
      } else {
        this.participants.set(t.id, new Participant(t.id, t.id, t.name, t.isSelf, this.config.live, this.config.signals, t.nameFrom));
      }
    }
    // Participants who left are dropped from the live view; their timeline stays in the store,
    // and a participant who comes back with the same id continues it. The people of a
    // multi-person tile follow their tile (and its renames).
    for (const [id, p] of this.participants) {
      const tile = byId.get(p.tileId);
      if (!tile || (p.id !== p.tileId && !tile.multiFace)) this.participants.delete(id);
      else if (p.id !== p.tileId) {
        p.name = personName(tile.name, Number(p.id.slice(p.id.lastIndexOf('#') + 1)));
        p.nameFrom = tile.nameFrom;
      }
    }
    for (const id of this.identities.keys()) if (!byId.get(id)?.multiFace) this.identities.delete(id);
  }

  /** Applies new user options (pause, only me, overlays). */
  setOptions(options: AnalysisOptions): void {
    this.options = options;
    if (options.paused) for (const p of this.participants.values()) p.analysed = false;
    this.publish(this.clock(), false);
  }

  /** Starts sampling `source`. */
  start(source: FrameSource): void {
    this.running = true;
    const interval = 1000 / this.config.live.targetFps;
    // `tick` never rejects (a failed step goes to sinks.onError), so the timers drop its promise.
    const tick = async () => {
      if (!this.running) return;
      const started = performance.now();
      if (!this.busy) {
        this.busy = true;
        try {
          await this.step(source);
        } catch (err) {
          this.sinks.onError(err instanceof Error ? err : new Error(String(err)));
        } finally {
          this.busy = false;
        }
      }
      if (this.running) this.timer = setTimeout(() => void tick(), Math.max(0, interval - (performance.now() - started)));
    };
    this.timer = setTimeout(() => void tick(), 0);
  }

  /** Stops the loop and emits every remaining second's records. */
  stop(): SecondRecord[] {
    this.running = false;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    return this.aggregator.flush(Infinity);
  }

  /** Analyses one frame of `source` now (the loop's tick; the live-mode evaluation calls it directly). */
  async step(source: FrameSource): Promise<void> {
    const frameTime = this.clock();
    const snapshot = this.tiles;
    const visible = snapshot ? analysedTiles(snapshot.tiles, this.options) : [];
    const visibleIds = new Set(visible.map((t) => t.id));
    for (const id of this.lastTurn.keys()) if (!visibleIds.has(id)) this.lastTurn.delete(id);
    const tiles = scheduleTiles(visible, this.lastTurn, this.config.live.frameBudgetMs, this.perTileMs);
    const images = snapshot && tiles.length ? await source.read(tiles, snapshot.viewport, this.config.live.tileImageMaxSide) : [];
    this.message = [this.noticeFor(images !== null), source.notice?.(tiles) ?? null].filter(Boolean).join(' ') || null;
    this.markIdle(snapshot, images === null ? new Set() : visibleIds, frameTime);
    if (!snapshot || tiles.length === 0 || images === null) {
      this.publish(frameTime, false);
      this.flush(frameTime);
      return;
    }
    const byId = new Map(tiles.map((t) => [t.id, t]));
    const { tiles: results, timing } = await this.analyzer.analyse(
      images.map((f) => ({ key: f.id, image: f.image, width: f.width, height: f.height, ...(byId.get(f.id)?.multiFace ? { maxFaces: this.config.detector.maxFacesPerTile } : {}) })),
      'track',
      frameTime,
      visibleIds,
    );
    this.perTileMs = updateCost(this.perTileMs, timing.totalMs, images.length);
    this.frameTimes.push(frameTime);
    this.inferenceMs.push(timing.totalMs);
    this.count(results, timing.totalMs);
    for (const r of results) this.lastTurn.set(r.key, frameTime);
    images.forEach((f, k) => {
      const r = results[k]!;
      // Boxes from tile px to the page's CSS px.
      const sx = f.cssRect.width / f.width;
      const sy = f.cssRect.height / f.height;
      const toCss = (b: Rect): Rect => ({ x: f.cssRect.x + b.x * sx, y: f.cssRect.y + b.y * sy, width: b.width * sx, height: b.height * sy });
      const faces = r.faces.map((face) => ({ ...face, box: toCss(face.box) }));
      const inCss: TileAnalysis = { ...r, faces, face: faces[0] ?? null };
      // The layout now (it may have changed while the frame was analysed).
      const tile = this.tiles?.tiles.find((t) => t.id === r.key);
      if (tile?.multiFace) this.applyPeople(tile, inCss, frameTime);
      else if (this.participants.has(r.key)) this.applyTile(this.participants.get(r.key)!, inCss, inCss.face, frameTime, tile?.speaking);
      // (otherwise the participant left while the frame was analysed)
    });
    this.publish(frameTime, true);
    this.flush(frameTime);
  }

  /**
   * Who is not analysed in this frame, and why: a visible tile waiting its turn in the frame
   * budget (`overloaded` when its second gets no analysis), everyone while paused (`paused`),
   * a tile under the minimum size (`tile-too-small`), a tile whose camera is off (`camera-off`); hidden, off-screen and (with "only me")
   * other people's tiles are neither analysed nor recorded.
   */
  private markIdle(snapshot: TilesSnapshot | null, waiting: ReadonlySet<string>, frameTime: number): void {
    const byId = new Map((snapshot?.tiles ?? []).map((t) => [t.id, t]));
    for (const p of this.participants.values()) {
      const tile = byId.get(p.tileId);
      const shown = !this.options.onlyMe || tile?.isSelf;
      const gap = this.options.paused ? 'paused' : tile?.hidden === 'too-small' && shown ? 'tile-too-small' : tile?.hidden === 'camera-off' && shown ? 'camera-off' : null;
      p.analysed = waiting.has(p.tileId);
      p.idleGap = gap;
      const reason = p.analysed ? 'overloaded' : gap;
      // Every second since the previous frame: a frame that took longer than a second (a
      // large call on a slow machine) leaves whole seconds without a frame of their own.
      if (reason) for (const t of secondsSince(this.lastStepAt, frameTime)) this.aggregator.mark(p.id, p.name, t, reason);
    }
    this.lastStepAt = frameTime;
  }

  /**
   * Hands each second's records on in the first frame after the second ends (at most one
   * second is in memory, so a host that dies loses at most that one).
   */
  private flush(frameTime: number): void {
    const records = this.aggregator.flush(frameTime);
    if (records.length) this.sinks.onRecords(records);
  }

  private count(results: readonly TileAnalysis[], totalMs: number): void {
    const analysed = results.filter((r) => r.status === 'analysed');
    this.counters.frames++;
    this.counters.tileAnalyses += analysed.length;
    this.counters.faces += analysed.filter((r) => r.face).length;
    this.counters.tracked += analysed.filter((r) => r.tracked).length;
    if (this.counters.inferenceMs.length < 20_000) this.counters.inferenceMs.push(totalMs);
  }

  /** One frame's result for one participant (see Participant.apply); its sample goes to the timeline. */
  private applyTile(p: Participant, r: TileAnalysis, face: FaceAnalysis | null, frameTime: number, siteSpeaking?: boolean): void {
    const sample = p.apply({ ...r, face }, frameTime, siteSpeaking);
    this.aggregator.add(p.id, p.name, frameTime, sample.probabilities, sample.gap ?? undefined, sample);
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
      if (this.excluded.has(id)) continue;
      let p = this.participants.get(id);
      if (!p) this.participants.set(id, (p = new Participant(id, tile.id, personName(tile.name, n), false, this.config.live, this.config.signals, tile.nameFrom)));
      p.analysed = true;
      this.applyTile(p, r, byPerson.get(n) ?? null, frameTime);
    }
    const own = this.participants.get(tile.id);
    if (own && identities.known.length > 0) this.participants.delete(tile.id);
    else if (own) this.applyTile(own, r, null, frameTime);
  }

  private noticeFor(hasFrame: boolean): string | null {
    if (this.options.paused) return 'Paused: nothing is analysed; the timeline marks these seconds as paused.';
    if (!hasFrame) return 'Waiting for the first frame…';
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
    const participants = [...this.participants.values()].map((p) => p.view(this.options.baseline));
    this.latest = {
      tabId: this.meta.tabId,
      meetingId: this.meta.meetingId,
      stats: this.stats(),
      participants,
      message: this.message,
      publishedAt: Date.now(),
      notRecording: null,
    };
    if (analysed) this.latencyMs.push(this.clock() - frameTime);
    this.sinks.onLive(this.latest);
  }
}

/** Most seconds marked back after one long frame (a longer stall is not an overload but a stop). */
const MAX_MARKED_SECONDS = 60;

/** One time in each whole second after `from` up to `to`, and `to` itself (ms); just `to` when `from` is null. */
function secondsSince(from: number | null, to: number): number[] {
  if (from === null || to - from <= 1000) return [to];
  const times: number[] = [];
  for (let t = Math.max(from + 1000, to - MAX_MARKED_SECONDS * 1000); t < to; t += 1000) times.push(t);
  times.push(to);
  return times;
}
