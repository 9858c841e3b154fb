/**
 * Firefox's analysis host: the inference runs in the background event page (Firefox MV3
 * background pages have a DOM, so tfjs's WASM and WebGL backends work), because Firefox has
 * neither offscreen documents nor tab capture. One AnalysisRun (engine/analysis-run.ts) on
 * the tab's tiles as its content script reads them (content-frame-source.ts). Importing
 * this module installs the host.
 */
import browser from 'webextension-polyfill';
import { AnalysisRun, runConfig } from '../engine/analysis-run.ts';
import { createAnalyzerCache } from '../inference/backend.ts';
import { useAnalysisHost, type AnalysisHost } from './analysis-host.ts';
import { ContentFrameSource } from './content-frame-source.ts';

const BASE = { models: { baseUrl: browser.runtime.getURL('models/'), wasmBaseUrl: browser.runtime.getURL('wasm/') } };
const analyzers = createAnalyzerCache();
let running: AnalysisRun | null = null;

async function stopRunning(): Promise<void> {
  const r = running;
  running = null;
  await r?.stop();
}

/** The Firefox host (see the module comment). */
export const firefoxHost: AnalysisHost = {
  async start({ configOverrides, ...request }, sinks) {
    await stopRunning();
    try {
      const config = runConfig(configOverrides, BASE);
      running = await AnalysisRun.start(request, config, new ContentFrameSource(request.tabId), {
        analyzer: (c) => analyzers.get(c),
        onLive: (update) => void sinks.live(update).catch(() => {}),
      });
      return { ok: true };
    } catch (err) {
      return { ok: false, error: `could not start analysis: ${err instanceof Error ? err.message : String(err)}` };
    }
  },
  stop: stopRunning,
  running: async () => running !== null,
  live: async () => running?.live ?? null,
  async setTiles(snapshot) {
    running?.setTiles(snapshot);
  },
  async setOptions(options) {
    running?.setOptions(options);
  },
  async setListening(listening) {
    running?.setListening(listening);
  },
  async exclude(participantId) {
    running?.exclude(participantId);
  },
};

useAnalysisHost(firefoxHost);
