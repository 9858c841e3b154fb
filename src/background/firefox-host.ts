/**
 * Firefox's analysis host: the inference runs here, in the background event page (Firefox
 * MV3 background pages have a DOM, so tfjs's WASM and WebGL backends work), because Firefox
 * has neither offscreen documents nor tab capture. Where a pixel enters: at each pipeline
 * tick (config `targetFps`, one frame in flight) the content script reads the analysed tiles'
 * `<video>`/`<canvas>` (`content/read-frames`, RGBA typed arrays structured-cloned by
 * Firefox's messaging) and `ContentFrameSource` draws them where the page shows them into one frame
 * laid out like the viewport, so the same TilePipeline and analyzer crop it by the tiles'
 * rects as they crop a tab-capture frame in Chrome. Importing this module installs the host.
 */
import browser from 'webextension-polyfill';
import { createAnalyzerCache, type BackendSelection } from '../offscreen/backend.ts';
import { makeConfig, sanitizeOverrides, type InferenceConfig } from '../offscreen/config.ts';
import { TilePipeline, type FrameSource } from '../offscreen/pipeline.ts';
import { sendToTab, type LiveUpdate, type TileFrame, type TileFrameProblem } from '../shared/messages.ts';
import { openTimelineStore, type TimelineStore } from '../shared/timeline-store.ts';
import type { AnalysisOptions, TilesSnapshot } from '../shared/types.ts';
import { useAnalysisHost, type AnalysisHost, type HostSinks } from './analysis-host.ts';
import { frameProblemNotice, frameScale } from './tile-frames.ts';

/**
 * The frames of one analysed tab: asks its content script for the analysed tiles' pixels and
 * draws each at its tile's rect (CSS px x scale) on a black frame the size of the viewport.
 */
export class ContentFrameSource implements FrameSource {
  private readonly canvas = new OffscreenCanvas(1, 1);
  private readonly scratch = new OffscreenCanvas(1, 1);
  /** The last lasting problem of each tile (cleared when it reads fine again). */
  readonly problems = new Map<string, TileFrameProblem>();

  constructor(
    private readonly tabId: number,
    private readonly maxSide: number,
    private readonly state: () => { tiles: TilesSnapshot | null; options: AnalysisOptions },
  ) {}

  async frame(): Promise<{ image: CanvasImageSource; width: number; height: number } | null> {
    const before = this.state();
    if (!before.tiles) return null;
    // Read only what the pipeline will analyse: nothing while paused, only the self view in "only me".
    const { options } = before;
    const wanted = options.paused ? [] : before.tiles.tiles.filter((t) => t.visible && (!options.onlyMe || t.isSelf));
    let frames: TileFrame[] = [];
    if (wanted.length) {
      const reply = await sendToTab(this.tabId, 'content/read-frames', { ids: wanted.map((t) => t.id), maxSide: this.maxSide }).catch(() => null);
      frames = reply?.frames ?? [];
    }
    for (const f of frames) {
      if (f.problem === 'tainted' || f.problem === 'blank') this.problems.set(f.id, f.problem);
      else if (!f.problem) this.problems.delete(f.id);
    }
    // The pipeline crops by the snapshot it holds when this resolves: lay the frame out by the same one.
    const snapshot = this.state().tiles ?? before.tiles;
    const rects = new Map(snapshot.tiles.map((t) => [t.id, t.rect]));
    const scale = frameScale(frames, rects);
    const width = Math.max(1, Math.round(snapshot.viewport.width * scale));
    const height = Math.max(1, Math.round(snapshot.viewport.height * scale));
    if (this.canvas.width !== width || this.canvas.height !== height) {
      this.canvas.width = width;
      this.canvas.height = height;
    }
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return null;
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, width, height);
    for (const f of frames) {
      const rect = rects.get(f.id);
      if (!f.image || !rect) continue;
      if (this.scratch.width !== f.image.width || this.scratch.height !== f.image.height) {
        this.scratch.width = f.image.width;
        this.scratch.height = f.image.height;
      }
      this.scratch.getContext('2d')!.putImageData(new ImageData(f.image.data, f.image.width, f.image.height), 0, 0);
      ctx.drawImage(this.scratch, rect.x * scale, rect.y * scale, rect.width * scale, rect.height * scale);
    }
    return { image: this.canvas, width, height };
  }
}

interface Running {
  pipeline: TilePipeline;
  source: ContentFrameSource;
  store: TimelineStore;
  meetingId: string;
  tiles: TilesSnapshot | null;
  options: AnalysisOptions;
  known: Map<string, string>;
  writes: Promise<void>;
  latest: LiveUpdate | null;
}

const BASE = { modelBaseUrl: browser.runtime.getURL('models/'), wasmBaseUrl: browser.runtime.getURL('wasm/') };
let running: Running | null = null;

/** The analyzer for `config`, created once and reused while the configuration stays the same. */
const analyzers = createAnalyzerCache();
const backend = (config: InferenceConfig): Promise<BackendSelection> => analyzers.get(config);

/** Serialises store writes so per-second records land in order; failures are logged, not thrown. */
function write(r: Running, task: (store: TimelineStore) => Promise<void>): void {
  r.writes = r.writes.then(() => task(r.store)).catch((err: unknown) => console.error('[CallMood] timeline write failed', err));
}

function rememberParticipants(r: Running, snapshot: TilesSnapshot): void {
  const changed = snapshot.tiles.filter((t) => r.known.get(t.id) !== t.name);
  if (!changed.length) return;
  for (const t of changed) r.known.set(t.id, t.name);
  write(r, (store) => store.upsertParticipants(r.meetingId, changed.map((t) => ({ id: t.id, name: t.name, isSelf: t.isSelf }))));
}

async function stopRunning(): Promise<void> {
  if (!running) return;
  const r = running;
  running = null;
  const rest = r.pipeline.stop();
  await r.writes;
  try {
    if (rest.length) await r.store.addSeconds(rest);
    await r.store.endMeeting(r.meetingId, Date.now());
  } finally {
    r.store.close();
  }
}

/** The Firefox host (see the module comment). */
export const firefoxHost: AnalysisHost = {
  async start({ tabId, meetingId, startedAt, options, tiles, configOverrides }, sinks: HostSinks) {
    await stopRunning();
    const { overrides, dropped } = sanitizeOverrides(configOverrides);
    if (dropped.length) console.warn('[CallMood] ignoring unknown or mistyped config overrides:', dropped.join(', '));
    const config = makeConfig({ ...overrides, ...BASE });
    let store: TimelineStore | null = null;
    try {
      const chosen = await backend(config);
      store = await openTimelineStore();
      await store.putMeeting({
        schemaVersion: 1,
        id: meetingId,
        site: tiles?.site || 'unknown',
        adapter: tiles?.adapter ?? 'generic',
        startedAt,
        endedAt: null,
        participants: [],
      });
      const r: Running = {
        pipeline: null as unknown as TilePipeline,
        source: new ContentFrameSource(tabId, config.maxTileSide, () => ({ tiles: r.tiles, options: r.options })),
        store,
        meetingId,
        tiles,
        options,
        known: new Map(),
        writes: Promise.resolve(),
        latest: null,
      };
      r.pipeline = new TilePipeline(chosen.analyzer, config, options, { tabId, meetingId, startedAt, backendReason: chosen.reason }, {
        onLive: (update) => {
          if (running !== r) return;
          const notice = frameProblemNotice(r.source.problems, r.tiles?.tiles ?? []);
          r.latest = notice ? { ...update, message: [update.message, notice].filter(Boolean).join(' ') } : update;
          void sinks.live(r.latest).catch(() => {});
        },
        onRecords: (records) => write(r, (s) => s.addSeconds(records)),
        onError: (err) => console.error('[CallMood] frame failed', err),
      });
      running = r;
      if (tiles) {
        r.pipeline.setTiles(tiles);
        rememberParticipants(r, tiles);
      }
      r.pipeline.start(r.source);
      return { ok: true };
    } catch (err) {
      store?.close();
      return { ok: false, error: `could not start analysis: ${err instanceof Error ? err.message : String(err)}` };
    }
  },
  stop: stopRunning,
  running: async () => running !== null,
  live: async () => running?.latest ?? null,
  async setTiles(snapshot) {
    if (!running) return;
    running.tiles = snapshot;
    running.pipeline.setTiles(snapshot);
    rememberParticipants(running, snapshot);
  },
  async setOptions(options) {
    if (!running) return;
    running.options = options;
    running.pipeline.setOptions(options);
  },
};

useAnalysisHost(firefoxHost);
