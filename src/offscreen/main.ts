/**
 * Chrome's analysis host, the offscreen document: where a pixel enters in Chrome. Opens the
 * tab capture (video only) into a `<video>`, and runs one AnalysisRun (engine/analysis-run.ts)
 * on it through TabFrameSource. Created by the background's offscreen-document service when
 * analysis starts and closed when nothing holds it.
 */
import browser from 'webextension-polyfill';
import { isExtensionPage, listen, send, type Handlers } from '../shared/messages.ts';
import type { TilesSnapshot } from '../shared/types.ts';
import { AnalysisRun, runConfig } from '../engine/analysis-run.ts';
import { createAnalyzerCache } from '../inference/backend.ts';
import { TabFrameSource, videoFrame } from './tab-frame-source.ts';
import { HOST_HEARTBEAT_MS, HOST_PORT_NAME } from '../shared/host-port.ts';

const BASE = { models: { baseUrl: browser.runtime.getURL('models/'), wasmBaseUrl: browser.runtime.getURL('wasm/') } };

/** The analyzer for a configuration, created once and reused while the configuration stays the same. */
export const analyzers = createAnalyzerCache();

let run: { analysis: AnalysisRun; stream: MediaStream } | null = null;
let pendingTiles: TilesSnapshot | null = null;

/** The running analysis, or null (benchmark hooks). */
export function currentRun(): AnalysisRun | null {
  return run?.analysis ?? null;
}

/** Longest side of the tab capture frame, px: larger viewports (HiDPI screens) are scaled down to it. */
const MAX_CAPTURE_SIDE = 1920;

/**
 * The capture size for a page whose viewport is `snapshot.viewport` at its devicePixelRatio:
 * the viewport in device px, its longer side at most MAX_CAPTURE_SIDE. Without a size, tab
 * capture gives 800x600, a 1280x720 page letterboxed into 800x450 (faces at 62 % of their
 * CSS size); with the page's own aspect ratio there are no bars.
 * @returns whole px, or null when the viewport is unknown.
 */
function captureSize(snapshot: TilesSnapshot | null): { width: number; height: number } | null {
  const v = snapshot?.viewport;
  if (!v || !(v.width > 0) || !(v.height > 0)) return null;
  const dpr = snapshot.devicePixelRatio > 0 ? snapshot.devicePixelRatio : 1;
  const scale = Math.min(dpr, MAX_CAPTURE_SIDE / Math.max(v.width, v.height));
  return { width: Math.max(2, Math.round(v.width * scale)), height: Math.max(2, Math.round(v.height * scale)) };
}

async function openTabStream(streamId: string, size: { width: number; height: number } | null): Promise<MediaStream> {
  // Video only: asking for the tab's audio would mute the tab for the user. A fixed size of
  // the page's aspect ratio (see captureSize); a later window resize may bring bars back,
  // which the tile mapping allows for (geometry.ts, viewportInFrame).
  const fixed = size ? { minWidth: size.width, maxWidth: size.width, minHeight: size.height, maxHeight: size.height } : {};
  return navigator.mediaDevices.getUserMedia({
    audio: false,
    video: { mandatory: { chromeMediaSource: 'tab', chromeMediaSourceId: streamId, maxFrameRate: 30, ...fixed } },
  } as unknown as MediaStreamConstraints);
}

async function stop(): Promise<void> {
  if (!run) return;
  const { analysis, stream } = run;
  run = null;
  stream.getTracks().forEach((t) => t.stop());
  (document.getElementById('capture') as HTMLVideoElement).srcObject = null;
  await analysis.stop();
}

const handlers = {
  async 'offscreen/start'({ streamId, configOverrides, ...request }) {
    await stop();
    let stream: MediaStream | null = null;
    try {
      const config = runConfig(configOverrides, BASE);
      const tiles = request.tiles ?? pendingTiles;
      // Load the models while the capture opens (a restart after a crash waits on both).
      const loading = analyzers.get(config);
      loading.catch(() => {}); // AnalysisRun.start gets the same promise and reports its error
      stream = await openTabStream(streamId, captureSize(tiles));
      const video = document.getElementById('capture') as HTMLVideoElement;
      video.srcObject = stream;
      await video.play();
      const analysis = await AnalysisRun.start({ ...request, tiles }, config, new TabFrameSource(videoFrame(video)), {
        analyzer: (c) => analyzers.get(c),
        onLive: (update) => void send('bg/live', update).catch(() => {}),
      });
      run = { analysis, stream };
      stream.getVideoTracks()[0]?.addEventListener('ended', () => {
        void stop().finally(() => send('bg/offscreen-error', { error: 'The tab capture ended (tab closed or capture stopped).' }).catch(() => {}));
      });
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
    run?.analysis.setTiles(snapshot);
  },
  async 'offscreen/set-options'(options) {
    run?.analysis.setOptions(options);
  },
  async 'offscreen/set-listening'({ listening }) {
    run?.analysis.setListening(listening);
  },
  async 'offscreen/exclude'({ participantId }) {
    run?.analysis.exclude(participantId);
  },
  async 'offscreen/get-live'() {
    return run?.analysis.live ?? null;
  },
} satisfies Handlers<'offscreen'>;

listen('offscreen', handlers, (_name, sender) => (isExtensionPage(sender) ? null : 'not an extension page'));

/**
 * Holds the host port (shared/host-port.ts) to the service worker while this document lives,
 * with a heartbeat; reconnects when the worker restarts (which wakes it).
 */
function holdHostPort(): void {
  const port = browser.runtime.connect({ name: HOST_PORT_NAME });
  const beat = setInterval(() => {
    try {
      port.postMessage({ alive: true });
    } catch {
      clearInterval(beat);
    }
  }, HOST_HEARTBEAT_MS);
  port.onDisconnect.addListener(() => {
    clearInterval(beat);
    setTimeout(holdHostPort, 100);
  });
}

holdHostPort();
void send('bg/offscreen-ready', {}).catch(() => {});
