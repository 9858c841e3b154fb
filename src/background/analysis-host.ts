/**
 * Where the analysis of a tab runs, seen from the background: an `AnalysisHost`. Chrome's
 * host is the offscreen document fed by tab capture (`offscreenHost`, below); Firefox, which
 * has neither, runs the same pipeline in its background event page (`firefox-host.ts`, which
 * installs itself with `useAnalysisHost` before the background's main module runs).
 */
import { send, type HostStartRequest, type LiveUpdate, type Outcome } from '../shared/messages.ts';
import type { AnalysisOptions, TilesSnapshot } from '../shared/types.ts';
import { offscreenDocuments } from './offscreen-document.ts';

/** The offscreen document's holder while an analysis runs there. */
const ANALYSIS = 'analysis';

export type { HostStartRequest } from '../shared/messages.ts';

/**
 * How a host that lives in the background itself reports back (the offscreen document
 * reports with `bg/live` and `bg/offscreen-error` messages instead).
 */
export interface HostSinks {
  /** After every analysed frame: the same update `bg/live` carries. */
  live(update: LiveUpdate): Promise<void>;
  /** The analysis failed for good and has stopped; `error` is shown to the user. */
  failed(error: string): Promise<void>;
}

/** A place where the inference runs. Every method is safe to call when nothing runs. */
export interface AnalysisHost {
  /** Starts analysing `request.tabId`; the outcome's error is shown to the user. Never rejects. */
  start(request: HostStartRequest, sinks: HostSinks): Promise<Outcome>;
  /** Stops and releases everything. @throws Error describing what could not be released. */
  stop(): Promise<void>;
  /** True while the host holds a running analysis (after a background restart too). */
  running(): Promise<boolean>;
  /** The latest live update, or null. @throws Error when the host cannot be reached. */
  live(): Promise<LiveUpdate | null>;
  /** Passes on a new tile snapshot of the analysed tab. @throws Error when the host cannot be reached. */
  setTiles(snapshot: TilesSnapshot): Promise<void>;
  /** Passes on new options. @throws Error when the host cannot be reached. */
  setOptions(options: AnalysisOptions): Promise<void>;
  /** Stops analysing participant `participantId` for the rest of the meeting. @throws Error when the host cannot be reached. */
  exclude(participantId: string): Promise<void>;
  /** Whether anyone looks at the live view; live updates are reported only while true. @throws Error when the host cannot be reached. */
  setListening(listening: boolean): Promise<void>;
}

/** Chrome: the offscreen document, which opens the tab capture stream the background gets for it. */
export const offscreenHost: AnalysisHost = {
  async start(request) {
    try {
      await offscreenDocuments.acquire(ANALYSIS);
      // The stream id is single-use and expires within seconds: get it right before use.
      const streamId = await chrome.tabCapture.getMediaStreamId({ targetTabId: request.tabId });
      const outcome = await send('offscreen/start', { ...request, streamId });
      if (!outcome.ok) await offscreenDocuments.release(ANALYSIS).catch(() => {});
      return outcome;
    } catch (err) {
      await offscreenDocuments.release(ANALYSIS).catch(() => {});
      return { ok: false, error: err instanceof Error ? err.message : String(err) };
    }
  },
  async stop() {
    if (!(await offscreenDocuments.exists())) return;
    const problems: string[] = [];
    await send('offscreen/stop', {}).catch((e: unknown) => problems.push(String(e instanceof Error ? e.message : e)));
    await offscreenDocuments.release(ANALYSIS).catch((e: unknown) => problems.push(String(e instanceof Error ? e.message : e)));
    if (problems.length) throw new Error(problems.join('; '));
  },
  running: () => offscreenDocuments.exists(),
  live: () => send('offscreen/get-live', {}),
  setTiles: (snapshot) => send('offscreen/tiles', snapshot),
  setOptions: (options) => send('offscreen/set-options', options),
  setListening: (listening) => send('offscreen/set-listening', { listening }),
  exclude: (participantId) => send('offscreen/exclude', { participantId }),
};

let current: AnalysisHost = offscreenHost;

/** The host of this build (the offscreen document unless another was installed). */
export function analysisHost(): AnalysisHost {
  return current;
}

/** Installs `host` as this build's host; call before the background's main module runs. */
export function useAnalysisHost(host: AnalysisHost): void {
  current = host;
}
