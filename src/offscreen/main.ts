/**
 * Offscreen document: where a pixel enters. Opens the tab capture (video only), owns the
 * analyzer, the frame loop and the timeline writes. Created by the background on demand
 * and closed when analysis stops.
 */
import browser from 'webextension-polyfill';
import { isExtensionPage, listen, send, type Handlers, type LiveUpdate } from '../shared/messages.ts';
import { openTimelineStore, type SecondRecord, type TimelineStore } from '../shared/timeline-store.ts';
import type { AnalysisOptions, TilesSnapshot } from '../shared/types.ts';
import { createAnalyzerCache, type BackendSelection } from './backend.ts';
import { makeConfig, sanitizeOverrides, type InferenceConfig } from './config.ts';
import { TilePipeline } from './pipeline.ts';

const BASE = { modelBaseUrl: browser.runtime.getURL('models/'), wasmBaseUrl: browser.runtime.getURL('wasm/') };
let config: InferenceConfig = makeConfig(BASE);

let session: {
  pipeline: TilePipeline;
  stream: MediaStream;
  store: TimelineStore;
  meetingId: string;
  known: Map<string, string>;
  writes: Promise<void>;
} | null = null;
let pendingTiles: TilesSnapshot | null = null;

/** The analyzer for `config`, created once and reused while the configuration stays the same. */
const analyzers = createAnalyzerCache();
const backend = (): Promise<BackendSelection> => analyzers.get(config);

/** Longest side of the tab capture frame, px: larger viewports (HiDPI screens) are scaled down to it. */
const MAX_CAPTURE_SIDE = 1920;

/**
 * The capture size for a page whose viewport is `snapshot.viewport` at its devicePixelRatio:
 * the viewport in device px, its longer side at most MAX_CAPTURE_SIDE. Without a size, tab
 * capture gave 800x600 here, the 1280x720 page letterboxed into 800x450 (faces at 62 % of
 * their CSS size); with the page's own aspect ratio there are no bars.
 * @returns whole px, or null when the viewport is unknown.
 */
function captureSize(snapshot: TilesSnapshot | null): { width: number; height: number } | null {
  const v = snapshot?.viewport;
  if (!v || !(v.width > 0) || !(v.height > 0)) return null;
  const dpr = snapshot!.devicePixelRatio > 0 ? snapshot!.devicePixelRatio : 1;
  const scale = Math.min(dpr, MAX_CAPTURE_SIDE / Math.max(v.width, v.height));
  return { width: Math.max(2, Math.round(v.width * scale)), height: Math.max(2, Math.round(v.height * scale)) };
}

async function openTabStream(streamId: string, size: { width: number; height: number } | null): Promise<MediaStream> {
  // Video only: asking for the tab's audio would mute the tab for the user (BROWSER-NOTES.md).
  // A fixed size of the page's aspect ratio: see captureSize. A later window resize may bring
  // bars back; the tile mapping allows for them (geometry.ts, viewportInFrame).
  const fixed = size ? { minWidth: size.width, maxWidth: size.width, minHeight: size.height, maxHeight: size.height } : {};
  return navigator.mediaDevices.getUserMedia({
    audio: false,
    video: { mandatory: { chromeMediaSource: 'tab', chromeMediaSourceId: streamId, maxFrameRate: 30, ...fixed } },
  } as unknown as MediaStreamConstraints);
}

/** Serialises store writes so per-second records land in order; failures are reported, not thrown. */
function write(task: (store: TimelineStore) => Promise<void>): void {
  if (!session) return;
  const s = session;
  s.writes = s.writes.then(() => task(s.store)).catch((err: unknown) => {
    console.error('[CallMood] timeline write failed', err);
  });
}

function rememberParticipants(snapshot: TilesSnapshot): void {
  if (!session) return;
  const changed = snapshot.tiles.filter((t) => session!.known.get(t.id) !== t.name);
  if (!changed.length) return;
  for (const t of changed) session.known.set(t.id, t.name);
  const meetingId = session.meetingId;
  write((store) => store.upsertParticipants(meetingId, changed.map((t) => ({ id: t.id, name: t.name, isSelf: t.isSelf }))));
}

async function stop(): Promise<void> {
  if (!session) return;
  const s = session;
  session = null;
  const rest: SecondRecord[] = s.pipeline.stop();
  s.stream.getTracks().forEach((t) => t.stop());
  const video = document.getElementById('capture') as HTMLVideoElement;
  video.srcObject = null;
  await s.writes;
  try {
    if (rest.length) await s.store.addSeconds(rest);
    await s.store.endMeeting(s.meetingId, Date.now());
  } finally {
    s.store.close();
  }
}

const handlers = {
  async 'offscreen/start'({ streamId, tabId, meetingId, startedAt, options, tiles, configOverrides }) {
    await stop();
    let stream: MediaStream | null = null;
    const { overrides, dropped } = sanitizeOverrides(configOverrides);
    if (dropped.length) console.warn('[CallMood] ignoring unknown or mistyped config overrides:', dropped.join(', '));
    config = makeConfig({ ...overrides, ...BASE });
    try {
      stream = await openTabStream(streamId, captureSize(tiles ?? pendingTiles));
      const video = document.getElementById('capture') as HTMLVideoElement;
      video.srcObject = stream;
      await video.play();
      const chosen = await backend();
      const store = await openTimelineStore();
      const snapshot = tiles ?? pendingTiles;
      await store.putMeeting({
        schemaVersion: 1,
        id: meetingId,
        site: snapshot?.site || 'unknown',
        adapter: snapshot?.adapter ?? 'generic',
        startedAt,
        endedAt: null,
        participants: [],
      });
      const pipeline = new TilePipeline(chosen.analyzer, config, options, { tabId, meetingId, startedAt, backendReason: chosen.reason }, {
        onLive: (update: LiveUpdate) => void send('bg/live', update).catch(() => {}),
        onRecords: (records) => write((s) => s.addSeconds(records)),
        onError: (err) => console.error('[CallMood] frame failed', err),
      });
      session = { pipeline, stream, store, meetingId, known: new Map(), writes: Promise.resolve() };
      if (snapshot) {
        pipeline.setTiles(snapshot);
        rememberParticipants(snapshot);
      }
      stream.getVideoTracks()[0]?.addEventListener('ended', () => {
        void stop().finally(() => send('bg/offscreen-error', { error: 'The tab capture ended (tab closed or capture stopped).' }).catch(() => {}));
      });
      pipeline.start(video);
      return { ok: true as const };
    } catch (err) {
      stream?.getTracks().forEach((t) => t.stop());
      return { ok: false as const, error: `could not start analysis: ${err instanceof Error ? err.message : String(err)}` };
    }
  },
  async 'offscreen/stop'() {
    await stop();
    return { ok: true as const };
  },
  async 'offscreen/tiles'(snapshot: TilesSnapshot) {
    pendingTiles = snapshot;
    session?.pipeline.setTiles(snapshot);
    rememberParticipants(snapshot);
  },
  async 'offscreen/set-options'(options: AnalysisOptions) {
    session?.pipeline.setOptions(options);
  },
  async 'offscreen/get-live'() {
    return session?.pipeline.live ?? null;
  },
} satisfies Handlers<'offscreen'>;

/**
 * Read-only figures for `npm run bench`, reached over the DevTools protocol (no page or
 * other extension context can call it): pipeline counters, tfjs tensor count, JS heap.
 */
(globalThis as unknown as { __callmoodBench: unknown }).__callmoodBench = {
  async snapshot(reset = false) {
    const chosen = analyzers.current ? await analyzers.current.catch(() => null) : null;
    return {
      backend: chosen?.backend ?? null,
      backendReason: chosen?.reason ?? null,
      counters: session?.pipeline.takeCounters(reset) ?? null,
      numTensors: chosen ? chosen.analyzer.tf.memory().numTensors : null,
      heapUsed: (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? null,
      config,
    };
  },
};

listen('offscreen', handlers, (_name, sender) => (isExtensionPage(sender) ? null : 'not an extension page'));
void send('bg/offscreen-ready', {}).catch(() => {});
