/**
 * The evaluation engine behind `npm run eval` and `npm run bench:accuracy`: scores labelled
 * images with the extension's own inference module (dist/harness, the same
 * src/offscreen/face-emotion.ts the offscreen document runs) in headless Chromium.
 */
import { basename, join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { makeConfig, type BackendChoice, type ConfigOverrides, type InferenceConfig } from '../../src/inference/config.ts';
import type { Probabilities } from '../../src/shared/emotions.ts';
import { assertChromium } from './browser.ts';
import { ROOT, VIDEOS_DIR } from './call-session.ts';
import type { LabelledImage, LabelledSet } from './labels.ts';
import { computeMetrics, type EvaluationMetrics, type Prediction } from './metrics.ts';
import { serveStatic, type StaticServer } from './serve.ts';

const BATCH = 64;

/**
 * 'crop': the image is a face crop, straight to the emotion stage. 'detect': detection first,
 * as for a tile seen once. 'live' (detect) and 'crop-live' (crop): the image played as one
 * second of a still video at targetFps through what the live pipeline does (face tracking,
 * flip alternation, smoothing), scored on the smoothed probabilities after the last frame.
 */
export type EvalMode = 'crop' | 'detect' | 'crop-live' | 'live';
export type SplitHalf = 'A' | 'B' | 'all';
export type SplitBy = 'image' | 'person';

/** One scored image (never commit these: they derive from the data set). */
export interface ImageResult {
  path: string;
  label: string;
  /** Probabilities in EMOTIONS order keys, or null when no face was found. */
  probabilities: Probabilities | null;
  /** Mean gray level of the image in [0, 1] (for the dark/bright analysis). */
  brightness: number;
}

/** What one evaluation run gives. */
export interface EvaluationRun {
  dataset: string;
  mode: EvalMode;
  split: SplitHalf;
  metrics: EvaluationMetrics;
  images: ImageResult[];
  speed: { imagesPerSecond: number; inferenceMsPerImage: number; wallSeconds: number };
  configuration: { backend: string; backendReason: string; inference: InferenceConfig; overrides: ConfigOverrides };
}

/** 32-bit FNV-1a hash of a string. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/**
 * The split key of an image: its path (`image`), or the person in it (`person`, so all photos
 * of a person fall in the same half): the subject of a Cohn-Kanade (CK+) frame name
 * `S<3 digits>_<sequence>_<frame>` (`S010_004_00000017.png` -> `S010`), else the file's base
 * name without a trailing `_<4 digits>` photo number (LFW's `Name_Surname_0003.jpg` ->
 * `Name_Surname`).
 */
export function splitKey(path: string, by: SplitBy): string {
  if (by === 'image') return path;
  const name = basename(path).replace(/\.[^.]+$/, '');
  const ckSubject = /^(S\d{3})_\d{3}_\d{8}$/.exec(name);
  return ckSubject ? ckSubject[1]! : name.replace(/_\d{4}$/, '');
}

/**
 * Deterministic half of a set: an image is in half A when FNV-1a(`callmood-split-v1:` + key)
 * is even, else in B. `all` keeps everything.
 */
export function selectHalf(items: LabelledImage[], half: SplitHalf, by: SplitBy): LabelledImage[] {
  if (half === 'all') return items;
  return items.filter((it) => (fnv1a(`callmood-split-v1:${splitKey(it.path, by)}`) % 2 === 0) === (half === 'A'));
}

/** A headless Chromium with the harness page, reused across runs. */
export class Evaluator {
  private constructor(
    private readonly browser: Browser,
    private readonly servers: Map<string, StaticServer>,
    readonly backend: string,
  ) {}

  /** Launches Chromium. @throws Error when Chromium is missing. */
  static async open(backend = 'wasm'): Promise<Evaluator> {
    const browser = await chromium.launch({
      executablePath: assertChromium(),
      args: ['--no-sandbox', '--disable-background-networking', ...(backend === 'webgpu' ? ['--enable-unsafe-webgpu'] : [])],
    });
    return new Evaluator(browser, new Map(), backend);
  }

  get chromiumVersion(): string {
    return this.browser.version();
  }

  private async server(dir: string): Promise<StaticServer> {
    let s = this.servers.get(dir);
    if (!s) {
      s = await serveStatic({
        '/harness/': join(ROOT, 'dist/harness'),
        '/ext/': join(ROOT, 'dist/chrome'),
        '/data/': dir,
        '/videos/': VIDEOS_DIR,
        '/': join(ROOT, 'test/fixtures'),
      });
      this.servers.set(dir, s);
    }
    return s;
  }

  /**
   * Scores `items` of `set` in a fresh page with `overrides` applied to the shipped config.
   * @param onProgress called after each batch with the number scored so far.
   * @throws Error naming the row of an image that cannot be decoded; `scored` on the error
   *   says how many images were scored before it.
   */
  /**
   * A fresh harness page whose pipeline is initialised with `overrides` on this evaluator's
   * backend; images of `dir` are served under `/data/`, the clips (VIDEOS_DIR) under
   * `/videos/`. The caller closes the page.
   * @throws Error when the page or the pipeline does not start.
   */
  async openPage(dir: string, overrides: ConfigOverrides): Promise<{ page: Page; chosen: { backend: string; reason: string }; origin: string }> {
    const server = await this.server(dir);
    const page: Page = await this.browser.newPage();
    try {
      await page.goto(`${server.origin}/inference-harness.html`);
      await page.waitForFunction(() => document.body.dataset.ready === '1');
      const chosen = await page.evaluate(([b, o]) => (window as any).harness.init({ ...o, backend: { ...o.backend, choice: b } }), [this.backend, overrides] as const);
      return { page, chosen, origin: server.origin };
    } catch (err) {
      await page.close();
      throw err;
    }
  }

  async run(
    set: LabelledSet,
    items: LabelledImage[],
    mode: EvalMode,
    opts: { overrides?: ConfigOverrides; split?: SplitHalf; onProgress?: (scored: number) => void } = {},
  ): Promise<EvaluationRun> {
    // A still image is a frozen video, which the live pipeline skips: the 'live' mode plays it
    // as a moving one (frozen-tile check off) so every frame is analysed.
    const overrides: ConfigOverrides = { ...(opts.overrides ?? {}), ...(mode === 'live' ? { frozen: { ...opts.overrides?.frozen, threshold: 0 } } : {}) };
    const { page, chosen } = await this.openPage(set.dir, overrides);
    const images: ImageResult[] = [];
    const predictions: Prediction[] = [];
    let inferenceMs = 0;
    const started = Date.now();
    try {
      for (let i = 0; i < items.length; i += BATCH) {
        const batch = items.slice(i, i + BATCH);
        const urls = batch.map((it) => `/data/${it.path.split('/').map(encodeURIComponent).join('/')}`);
        const { results, ms } = await page.evaluate(([u, m]) => (window as any).harness.evaluateBatch(u, m), [urls, mode] as const);
        inferenceMs += ms;
        results.forEach((r: { probabilities: Probabilities | null; brightness: number; error?: string }, k: number) => {
          const item = batch[k]!;
          if (r.error) throw Object.assign(new Error(`row ${item.row} (${item.path}): ${r.error}`), { scored: images.length });
          predictions.push({ label: item.label, probabilities: r.probabilities });
          images.push({ path: item.path, label: item.label, probabilities: r.probabilities, brightness: r.brightness });
        });
        opts.onProgress?.(images.length);
      }
      const wallSeconds = (Date.now() - started) / 1000;
      return {
        dataset: basename(set.dir),
        mode,
        split: opts.split ?? 'all',
        metrics: computeMetrics(predictions),
        images,
        speed: { imagesPerSecond: images.length / wallSeconds, inferenceMsPerImage: inferenceMs / images.length, wallSeconds },
        configuration: {
          backend: chosen.backend,
          backendReason: chosen.reason,
          inference: makeConfig(overrides, { backend: { choice: this.backend as BackendChoice } }),
          overrides,
        },
      };
    } catch (err) {
      if (err instanceof Error && !('scored' in err)) Object.assign(err, { scored: images.length });
      throw err;
    } finally {
      await page.close();
    }
  }

  async close(): Promise<void> {
    await this.browser.close();
    for (const s of this.servers.values()) await s.close();
  }
}
