/**
 * One live analysis, from start to end, the same in both browsers: opens the timeline store,
 * records the meeting, runs the frame loop (pipeline.ts) on a frame source, remembers the
 * participants as they appear and are renamed, writes each second's records in order, and on
 * stop flushes the rest and ends the meeting. A host (Chrome's offscreen document, Firefox's
 * background page) only supplies the frame source and carries the messages.
 *
 * The live view never depends on the store: when the store cannot be opened or written, the
 * analysis goes on, every live update says why nothing is recorded (`notRecording`), and the
 * next write that succeeds clears it.
 */
import { errorText } from '../shared/errors.ts';
import { makeSecondRecord } from '../shared/timeline-records.ts';
import type { HostStartRequest, LiveUpdate } from '../shared/messages.ts';
import { openTimelineStore, type SecondRecord, type TimelineStore } from '../shared/timeline-store.ts';
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
  /** Opens the timeline store (default: `openTimelineStore()`); tests pass their own. */
  openStore?: () => Promise<TimelineStore>;
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
  /** Why nothing is recorded now, or null while the timeline is written. */
  private notRecording: string | null;

  private constructor(
    private readonly request: RunRequest,
    private readonly store: TimelineStore | null,
    storeProblem: string | null,
    selection: BackendSelection,
    readonly config: InferenceConfig,
    private readonly source: FrameSource,
    private readonly onLive: (update: LiveUpdate) => void,
  ) {
    const { tabId, meetingId, startedAt } = request;
    this.listening = request.listening;
    this.notRecording = storeProblem;
    this.pipeline = new TilePipeline(selection.analyzer, config, request.options, { tabId, meetingId, startedAt, backendReason: selection.reason }, {
      onLive: (update) => {
        if (!this.stopped && this.listening) onLive({ ...update, notRecording: this.notRecording });
      },
      onRecords: (records) => this.write((s) => s.addSeconds(records)),
      onError: (err) => console.error('[CallMood] frame failed', err),
    });
  }

  /**
   * Loads the analyzer, opens the store (ending meetings a crash left open), records the
   * meeting (or, with `request.resume`, goes on with it, recording the seconds missed as
   * `not-recording`) and starts the frame loop on `source`. A store that cannot be opened or
   * written does not stop the analysis: the live view runs and says why nothing is recorded.
   * @throws Error when the analyzer cannot be loaded.
   */
  static async start(request: RunRequest, config: InferenceConfig, source: FrameSource, deps: RunDeps): Promise<AnalysisRun> {
    // The store opens while the models load (a restarted host waits on both).
    const opening = openMeeting(request, deps.openStore ?? (() => openTimelineStore()));
    let selection: BackendSelection;
    try {
      selection = await deps.analyzer(config);
    } catch (err) {
      (await opening).store?.close();
      throw err;
    }
    const { store, problem, excluded } = await opening;
    const run = new AnalysisRun(request, store, problem, selection, config, source, deps.onLive);
    run.pipeline.exclude([...request.excluded, ...excluded]);
    if (request.tiles) run.setTiles(request.tiles);
    run.pipeline.start(source);
    return run;
  }

  /** The latest live update, or null before the first frame. */
  get live(): LiveUpdate | null {
    const live = this.pipeline.live;
    return live && { ...live, notRecording: this.notRecording };
  }

  /** The frame loop's counters since the last reset (benchmarks); resets them when `reset`. */
  takeCounters(reset = false): PipelineCounters {
    return this.pipeline.takeCounters(reset);
  }

  /** A new tile layout: the loop crops by it; new or renamed participants are recorded (excluded ones are not). */
  setTiles(snapshot: TilesSnapshot): void {
    if (this.stopped) return;
    this.pipeline.setTiles(snapshot);
    const changed = snapshot.tiles.filter((t) => this.known.get(t.id) !== t.name && !this.pipeline.isExcluded(t.id));
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

  /**
   * Stops analysing participant `participantId` (a tile id, or `<tile id>#<n>` for one person
   * of a multi-person tile) for the rest of the run: see `TilePipeline.exclude`. Their stored
   * seconds stay unless the caller deletes them (`TimelineStore.excludeParticipant`).
   */
  exclude(participantId: string): void {
    if (!this.stopped) this.pipeline.exclude([participantId]);
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
    if (!this.store) return;
    try {
      if (rest.length) await this.store.addSeconds(rest);
      await this.store.endMeeting(this.request.meetingId, Date.now());
    } finally {
      this.store.close();
    }
  }

  /**
   * Serialises store writes so per-second records land in order. A failure is logged and
   * shown at once in the live view (`notRecording`); the next write that succeeds clears it.
   */
  private write(task: (store: TimelineStore) => Promise<void>): void {
    const store = this.store;
    if (!store) return;
    this.writes = this.writes.then(
      () =>
        task(store).then(
          () => this.setNotRecording(null),
          (err: unknown) => {
            console.error('[CallMood] timeline write failed', err);
            this.setNotRecording(errorText(err));
          },
        ),
    );
  }

  private setNotRecording(reason: string | null): void {
    if (reason === this.notRecording) return;
    this.notRecording = reason;
    const live = this.live;
    if (live && !this.stopped && this.listening) this.onLive({ ...live, publishedAt: Date.now() });
  }
}

/**
 * Opens the store for a run: ends the meetings a crash left open, then creates the meeting,
 * or with `resume` goes on with it and records the seconds missed as `not-recording`.
 * @returns the open store, or null and the reason nothing can be recorded.
 */
async function openMeeting(
  request: RunRequest,
  open: () => Promise<TimelineStore>,
): Promise<{ store: TimelineStore | null; problem: string | null; excluded: string[] }> {
  let store: TimelineStore | null = null;
  try {
    store = await open();
    if (store.repairs.length) console.warn('[CallMood] the timeline database was repaired:', store.repairs.join('; '));
    const now = Date.now();
    await store.endOpenMeetings(request.meetingId, now);
    await store.ensureMeeting({
      schemaVersion: 1,
      id: request.meetingId,
      site: request.tiles?.site || 'unknown',
      adapter: request.tiles?.adapter ?? 'generic',
      startedAt: request.startedAt,
      endedAt: null,
      participants: [],
    });
    let excluded: string[] = [];
    if (request.resume) {
      // Whoever was excluded with their records deleted stays excluded, whatever the request says.
      excluded = ((await store.getMeeting(request.meetingId)).meeting?.participants ?? []).filter((p) => p.excluded).map((p) => p.id);
      const skip = new Set([...request.excluded, ...excluded]);
      await store.addSeconds((await missedSeconds(store, request.meetingId, request.startedAt, now)).filter((r) => !skip.has(r.participantId)));
    }
    return { store, problem: null, excluded };
  } catch (err) {
    store?.close();
    console.error('[CallMood] the timeline cannot be written', err);
    return { store: null, problem: `the timeline database cannot be used: ${errorText(err)}`, excluded: [] };
  }
}

/** The `not-recording` records of the seconds a resumed meeting missed: after its last recorded second, up to `now`, for each of its participants. */
async function missedSeconds(store: TimelineStore, meetingId: string, startedAt: number, now: number): Promise<SecondRecord[]> {
  const { meeting } = await store.getMeeting(meetingId);
  if (!meeting) return [];
  const from = (await store.lastSecond(meetingId)) + 1;
  const to = Math.floor((now - startedAt) / 1000);
  const out: SecondRecord[] = [];
  for (const p of meeting.participants) {
    for (let second = from; second < to; second++) {
      out.push(makeSecondRecord({ meetingId, participantId: p.id, name: p.name, second, probabilities: null, dominant: null, faceSeconds: 0, samples: 0, gap: 'not-recording' }));
    }
  }
  return out;
}
