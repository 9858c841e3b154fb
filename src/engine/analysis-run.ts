/**
 * One live analysis, from start to end, the same in both browsers: opens the timeline store,
 * records the meeting, runs the frame loop (pipeline.ts) on a frame source, remembers the
 * participants as they appear and are renamed, writes each second's records in order, and on
 * stop flushes the rest and ends the meeting. A host (Chrome's offscreen document, Firefox's
 * background page) only supplies the frame source and carries the messages.
 */
import type { HostStartRequest, LiveUpdate } from '../shared/messages.ts';
import { openTimelineStore, type TimelineStore } from '../shared/timeline-store.ts';
import type { AnalysisOptions, TilesSnapshot } from '../shared/types.ts';
import { sanitizeOverrides, makeConfig, type ConfigOverrides, type InferenceConfig } from '../inference/config.ts';
import type { BackendSelection } from '../inference/backend.ts';
import { TilePipeline, type FrameSource, type PipelineCounters } from './pipeline.ts';

/** What starting a run needs: the host's start request less the configuration overrides (see `runConfig`). */
export type RunRequest = Omit<HostStartRequest, 'configOverrides'>;

/** What a run needs from its host. */
export interface RunDeps {
  /** The analyzer for a configuration (backend.ts `createAnalyzerCache().get`). */
  analyzer(config: InferenceConfig): Promise<BackendSelection>;
  /** Called after every analysed frame and on option changes. */
  onLive: (update: LiveUpdate) => void;
}

/**
 * The configuration of a run: the shipped defaults, the developer overrides read from storage
 * (validated knob by knob; bad ones are named in a warning and dropped), and the build's model
 * and WASM locations.
 */
export function runConfig(overrides: unknown, base: ConfigOverrides): InferenceConfig {
  const { overrides: valid, dropped } = sanitizeOverrides(overrides);
  if (dropped.length) console.warn('[CallMood] ignoring unknown, mistyped or out-of-range config overrides:', dropped.join(', '));
  return makeConfig(valid, base);
}

/** A running analysis. Create with `AnalysisRun.start`; `stop()` ends it. */
export class AnalysisRun {
  private known = new Map<string, string>();
  private writes: Promise<void> = Promise.resolve();
  private stopped = false;
  private listening: boolean;
  private readonly pipeline: TilePipeline;

  private constructor(
    private readonly request: RunRequest,
    private readonly store: TimelineStore,
    selection: BackendSelection,
    readonly config: InferenceConfig,
    private readonly source: FrameSource,
    onLive: (update: LiveUpdate) => void,
  ) {
    const { tabId, meetingId, startedAt } = request;
    this.listening = request.listening;
    this.pipeline = new TilePipeline(selection.analyzer, config, request.options, { tabId, meetingId, startedAt, backendReason: selection.reason }, {
      onLive: (update) => {
        if (!this.stopped && this.listening) onLive(update);
      },
      onRecords: (records) => this.write((s) => s.addSeconds(records)),
      onError: (err) => console.error('[CallMood] frame failed', err),
    });
  }

  /**
   * Loads the analyzer, opens the store, records the meeting and starts the frame loop on `source`.
   * @throws Error when the analyzer cannot be loaded or the store cannot be opened or written;
   *   nothing is left open then.
   */
  static async start(request: RunRequest, config: InferenceConfig, source: FrameSource, deps: RunDeps): Promise<AnalysisRun> {
    const selection = await deps.analyzer(config);
    const store = await openTimelineStore();
    try {
      await store.putMeeting({
        schemaVersion: 1,
        id: request.meetingId,
        site: request.tiles?.site || 'unknown',
        adapter: request.tiles?.adapter ?? 'generic',
        startedAt: request.startedAt,
        endedAt: null,
        participants: [],
      });
    } catch (err) {
      store.close();
      throw err;
    }
    const run = new AnalysisRun(request, store, selection, config, source, deps.onLive);
    if (request.tiles) run.setTiles(request.tiles);
    run.pipeline.start(source);
    return run;
  }

  /** The latest live update, or null before the first frame. */
  get live(): LiveUpdate | null {
    return this.pipeline.live;
  }

  /** The frame loop's counters since the last reset (benchmarks); resets them when `reset`. */
  takeCounters(reset = false): PipelineCounters {
    return this.pipeline.takeCounters(reset);
  }

  /** A new tile layout: the loop crops by it; new or renamed participants are recorded. */
  setTiles(snapshot: TilesSnapshot): void {
    if (this.stopped) return;
    this.pipeline.setTiles(snapshot);
    const changed = snapshot.tiles.filter((t) => this.known.get(t.id) !== t.name);
    if (!changed.length) return;
    for (const t of changed) this.known.set(t.id, t.name);
    const meetingId = this.request.meetingId;
    this.write((store) => store.upsertParticipants(meetingId, changed.map((t) => ({ id: t.id, name: t.name, isSelf: t.isSelf }))));
  }

  /**
   * Whether anyone looks at the live view (a popup is open, or overlays are on). While nobody
   * does, the run records as usual and sends no live updates; `live` stays current.
   */
  setListening(listening: boolean): void {
    this.listening = listening;
  }

  /** New user options (pause, only me, overlays). */
  setOptions(options: AnalysisOptions): void {
    if (!this.stopped) this.pipeline.setOptions(options);
  }

  /**
   * Stops the loop, writes the remaining seconds, ends the meeting and closes the store.
   * Safe to call twice. @throws Error when the last writes fail (the store is closed anyway).
   */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const rest = this.pipeline.stop();
    await this.writes;
    try {
      if (rest.length) await this.store.addSeconds(rest);
      await this.store.endMeeting(this.request.meetingId, Date.now());
    } finally {
      this.store.close();
    }
  }

  /** Serialises store writes so per-second records land in order; failures are logged, not thrown. */
  private write(task: (store: TimelineStore) => Promise<void>): void {
    this.writes = this.writes.then(() => task(this.store)).catch((err: unknown) => console.error('[CallMood] timeline write failed', err));
  }
}
