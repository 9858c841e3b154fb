/**
 * Picks the inference backend at start.
 *
 * Rule: WebGPU when `navigator.gpu` gives a hardware adapter (not a fallback adapter and
 * not SwiftShader); otherwise every other available backend (WASM, and WebGL when a WebGL2
 * context can be created) is warmed up on a fixed synthetic frame and timed, and the one
 * with the lowest median wins. A candidate whose first inference exceeds
 * `backend.warmupBudgetMs` is dropped after that one run (software WebGL takes seconds per
 * frame on a machine without a GPU). A software WebGPU adapter is never chosen by 'auto'
 * (about 2 s per frame in headless Chromium without a GPU, docs/architecture.md) but can be
 * forced with `backend.choice: 'webgpu'`.
 */
import { median } from '../shared/stats.ts';
import { FaceEmotionAnalyzer } from './analyzer.ts';
import type { BackendChoice, InferenceConfig } from './config.ts';
import type { TileAnalyzer } from './types.ts';

/** Creates an analyzer of one kind on one backend. @throws Error when it cannot be loaded there. */
export type AnalyzerFactory = (config: InferenceConfig, backend: Exclude<BackendChoice, 'auto'>) => Promise<TileAnalyzer>;

/** The analyzers this build can run, by `config.analyzer`: ours everywhere; the benchmark build adds its baseline. */
const analyzers = new Map<string, AnalyzerFactory>([['callmood', (config, backend) => FaceEmotionAnalyzer.create(config, backend)]]);

/** Adds (or replaces) an analyzer kind in this build. */
export function registerAnalyzer(name: string, factory: AnalyzerFactory): void {
  analyzers.set(name, factory);
}

/** The outcome of backend selection. */
export interface BackendSelection {
  analyzer: TileAnalyzer;
  backend: string;
  /** One line for the user: why this backend ("webgpu: hardware adapter nvidia", "wasm 41 ms < webgl 612 ms"). */
  reason: string;
  /** Median warm inference time per candidate, ms (NaN when dropped or failed). */
  timings: Record<string, number>;
}

interface GpuAdapterLike {
  isFallbackAdapter?: boolean;
  info?: { vendor?: string; architecture?: string; description?: string };
}

/** Describes the WebGPU adapter, or null when there is none. */
export async function probeWebGpu(): Promise<{ hardware: boolean; label: string } | null> {
  const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<GpuAdapterLike | null> } }).gpu;
  if (!gpu) return null;
  let adapter: GpuAdapterLike | null = null;
  try {
    adapter = await gpu.requestAdapter();
  } catch {
    return null;
  }
  if (!adapter) return null;
  const info = adapter.info ?? {};
  const label = [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'unknown adapter';
  const software = Boolean(adapter.isFallbackAdapter) || /swiftshader|llvmpipe|software/i.test(label);
  return { hardware: !software, label };
}

function webgl2Available(): boolean {
  try {
    const canvas = new OffscreenCanvas(1, 1);
    return canvas.getContext('webgl2') !== null;
  } catch {
    return false;
  }
}

/** A fixed 320x240 synthetic frame (gradient with a face-sized blob) for timing. */
function syntheticFrame(): OffscreenCanvas {
  const canvas = new OffscreenCanvas(320, 240);
  const ctx = canvas.getContext('2d')!;
  const g = ctx.createLinearGradient(0, 0, 320, 240);
  g.addColorStop(0, '#334');
  g.addColorStop(1, '#aa9');
  ctx.fillStyle = g;
  ctx.fillRect(0, 0, 320, 240);
  ctx.fillStyle = '#d9b38c';
  ctx.beginPath();
  ctx.ellipse(160, 120, 55, 72, 0, 0, Math.PI * 2);
  ctx.fill();
  return canvas;
}


/** Times `analyzer` on the synthetic frame; returns the warm median in ms, or the first run's time when over budget. */
async function measure(analyzer: TileAnalyzer, config: InferenceConfig): Promise<{ ms: number; overBudget: boolean }> {
  const crops = [{ key: 'warmup', image: syntheticFrame(), width: 320, height: 240 }];
  // One run with a forced emotion call so both models' kernels are compiled.
  for (let i = 0; i < config.backend.warmupRuns; i++) {
    const t = performance.now();
    await analyzer.analyse(crops);
    const ms = performance.now() - t;
    if (i === 0 && ms > config.backend.warmupBudgetMs) return { ms, overBudget: true };
  }
  const times: number[] = [];
  for (let i = 0; i < config.backend.measureRuns; i++) {
    times.push((await analyzer.analyse(crops)).timing.totalMs);
  }
  return { ms: median(times), overBudget: false };
}

/**
 * Chooses and initialises the backend per the rule above.
 * @throws Error when a forced backend cannot be initialised, or no backend works at all.
 */
export async function selectBackend(config: InferenceConfig): Promise<BackendSelection> {
  const factory = analyzers.get(config.analyzer);
  if (!factory) throw new Error(`analyzer '${config.analyzer}' is not in this build (it has: ${[...analyzers.keys()].join(', ')})`);
  const create = (backend: Exclude<BackendChoice, 'auto'>): Promise<TileAnalyzer> => factory(config, backend);
  const choice = config.backend.choice;
  if (choice !== 'auto') {
    const analyzer = await create(choice);
    return { analyzer, backend: analyzer.backend, reason: `${choice}: chosen in the configuration`, timings: {} };
  }
  const gpu = await probeWebGpu();
  if (gpu?.hardware) {
    try {
      const analyzer = await create('webgpu');
      return { analyzer, backend: 'webgpu', reason: `webgpu: hardware adapter (${gpu.label})`, timings: {} };
    } catch (err) {
      console.warn('[CallMood] WebGPU adapter found but backend failed; measuring the others', err);
    }
  }
  const candidates: Exclude<BackendChoice, 'auto'>[] = ['wasm'];
  if (webgl2Available()) candidates.push('webgl');
  const timings: Record<string, number> = {};
  const notes: string[] = [];
  let best: { analyzer: TileAnalyzer; backend: string; ms: number } | null = null;
  for (const name of candidates) {
    let analyzer: TileAnalyzer | null = null;
    try {
      analyzer = await create(name);
      const { ms, overBudget } = await measure(analyzer, config);
      timings[name] = overBudget ? NaN : ms;
      notes.push(overBudget ? `${name} first run ${Math.round(ms)} ms > budget` : `${name} ${ms.toFixed(0)} ms`);
      if (!overBudget && (!best || ms < best.ms)) {
        best?.analyzer.dispose();
        best = { analyzer, backend: name, ms };
        analyzer = null;
      }
    } catch (err) {
      timings[name] = NaN;
      notes.push(`${name} failed (${err instanceof Error ? err.message : String(err)})`);
    } finally {
      analyzer?.dispose();
    }
  }
  if (gpu && !gpu.hardware) notes.push(`webgpu skipped: software adapter (${gpu.label})`);
  if (!best) throw new Error(`no inference backend works here: ${notes.join('; ')}`);
  await best.analyzer.tf.setBackend(best.backend);
  return { analyzer: best.analyzer, backend: best.backend, reason: `${best.backend}: fastest at warm-up (${notes.join(', ')})`, timings };
}

/**
 * One analyzer per configuration, shared by every analysis that host runs: `get(config)`
 * selects the backend and loads the models the first time, returns the same selection while
 * the configuration (compared as JSON) stays the same, and disposes of the old analyzer when it
 * changes. A failed selection is forgotten, so the next `get` tries again.
 * `current` is the selection in progress or made, or null (for benchmarks' snapshots).
 * @throws (from `get`) what `selectBackend` throws.
 */
export function createAnalyzerCache(): { get(config: InferenceConfig): Promise<BackendSelection>; readonly current: Promise<BackendSelection> | null } {
  let selection: Promise<BackendSelection> | null = null;
  let selectionKey = '';
  return {
    async get(config) {
      const key = JSON.stringify(config);
      if (selection && key !== selectionKey) {
        const old = selection;
        selection = null;
        await old.then((s) => s.analyzer.dispose()).catch(() => {});
      }
      selectionKey = key;
      selection ??= selectBackend(config).catch((err) => {
        selection = null;
        throw err;
      });
      return selection;
    },
    get current() {
      return selection;
    },
  };
}
