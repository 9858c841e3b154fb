/**
 * npm run eval -- --data DIR [--mode crop|detect] [--out FILE] [--backend wasm|webgl|webgpu|auto] [--limit N]
 *
 * Scores a labelled image set with the extension's own inference module (the same
 * src/offscreen/face-emotion.ts the offscreen document runs, bundled into dist/harness) in
 * headless Chromium, and prints and writes (JSON, plus an HTML confusion matrix beside it):
 * n, top-1 accuracy with a 95 % Wilson interval, macro-F1, per-class recall and precision,
 * the confusion matrix (rows true), ECE (15 bins), images per second and the configuration.
 *
 * DIR holds labels.csv (path,label) and the images it names (JPEG or PNG).
 * --mode crop: each image is a tight face crop and goes straight to the emotion stage.
 * --mode detect: each whole image goes through face detection first, like a call tile;
 *   images with no face found count as errors.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { build } from './build.ts';
import { assertChromium } from './lib/browser.ts';
import { ROOT } from './lib/call-session.ts';
import { readLabelledSet } from './lib/labels.ts';
import { computeMetrics, confusionMatrixHtml, formatMetricsTable, type Prediction } from './lib/metrics.ts';
import { serveStatic } from './lib/serve.ts';
import { isEmotion, type Probabilities } from '../src/shared/emotions.ts';
import { makeConfig } from '../src/offscreen/config.ts';

const BATCH = 64;

const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    mode: { type: 'string', default: 'crop' },
    out: { type: 'string' },
    backend: { type: 'string', default: 'wasm' },
    limit: { type: 'string' },
    /** JSON object of InferenceConfig overrides, e.g. '{"flipAverage":true}' (reported in the output). */
    config: { type: 'string', default: '{}' },
    /** Also write each image's path, label and prediction to this file (never commit it: it derives from the data set). */
    'per-image': { type: 'string' },
    /** Tag appended to the default output name (eval-<dataset>-<mode>-<name>.json). */
    name: { type: 'string' },
    'no-build': { type: 'boolean', default: false },
  },
});

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

async function main(): Promise<void> {
  if (!values.data) fail('usage: npm run eval -- --data DIR [--mode crop|detect] [--out FILE] [--backend wasm|webgl|webgpu|auto] [--limit N]');
  const mode = values.mode as 'crop' | 'detect';
  if (mode !== 'crop' && mode !== 'detect') fail(`--mode must be crop or detect, got ${values.mode}`);
  if (!['wasm', 'webgl', 'webgpu', 'auto', 'cpu'].includes(values.backend!)) fail(`--backend must be wasm, webgl, webgpu, auto or cpu, got ${values.backend}`);
  let overrides: Record<string, unknown>;
  try {
    overrides = JSON.parse(values.config!);
  } catch (err) {
    fail(`--config must be a JSON object: ${err instanceof Error ? err.message : String(err)}`);
  }
  const dir = resolve(values.data);
  const set = await readLabelledSet(dir);
  const limit = values.limit ? Number(values.limit) : Infinity;
  const items = set.items.slice(0, limit);
  const dataset = basename(dir);
  const tag = values.name ? `-${values.name.replace(/[^\w.-]+/g, '_')}` : '';
  const out = resolve(values.out ?? join(ROOT, 'bench/results', `eval-${dataset}-${mode}${tag}.json`));
  console.log(`Evaluating ${items.length} images of ${dir} (mode ${mode}, backend ${values.backend})`);

  if (!values['no-build']) await build();
  const server = await serveStatic({
    '/harness/': join(ROOT, 'dist/harness'),
    '/ext/': join(ROOT, 'dist/chrome'),
    '/data/': dir,
    '/': join(ROOT, 'test/fixtures'),
  });
  const browser = await chromium.launch({
    executablePath: assertChromium(),
    args: ['--no-sandbox', '--disable-background-networking', ...(values.backend === 'webgpu' ? ['--enable-unsafe-webgpu'] : [])],
  });
  const predictions: Prediction[] = [];
  const perImage: { path: string; label: string; predicted: string | null; confidence: number | null }[] = [];
  let inferenceMs = 0;
  const started = Date.now();
  try {
    const page = await browser.newPage();
    await page.goto(`${server.origin}/inference-harness.html`);
    await page.waitForFunction(() => document.body.dataset.ready === '1');
    const chosen = await page.evaluate(([b, o]) => (window as any).harness.init({ ...o, backend: b }), [values.backend, overrides] as const);
    console.log(`Backend: ${chosen.reason}`);
    for (let i = 0; i < items.length; i += BATCH) {
      const batch = items.slice(i, i + BATCH);
      const urls = batch.map((it) => `/data/${it.path.split('/').map(encodeURIComponent).join('/')}`);
      const { results, ms } = await page.evaluate(([u, m]) => (window as any).harness.evaluateBatch(u, m), [urls, mode] as const);
      inferenceMs += ms;
      results.forEach((r: { probabilities: Probabilities | null; error?: string }, k: number) => {
        const item = batch[k]!;
        if (r.error) throw new Error(`row ${item.row} (${item.path}): ${r.error}`);
        predictions.push({ label: item.label, probabilities: r.probabilities });
        const top = r.probabilities ? Object.entries(r.probabilities).sort((a, b) => b[1] - a[1])[0]! : null;
        perImage.push({ path: item.path, label: item.label, predicted: top && isEmotion(top[0]) ? top[0] : null, confidence: top ? top[1] : null });
      });
      if (process.stdout.isTTY) process.stdout.write(`\r  scored ${predictions.length}/${items.length}`);
      else if (predictions.length % 1024 < BATCH || predictions.length === items.length) console.log(`  scored ${predictions.length}/${items.length}`);
    }
    if (process.stdout.isTTY) process.stdout.write('\n');
    const metrics = computeMetrics(predictions);
    const seconds = (Date.now() - started) / 1000;
    const report = {
      dataset,
      dir,
      mode,
      n: metrics.n,
      metrics,
      speed: {
        imagesPerSecond: predictions.length / seconds,
        inferenceMsPerImage: inferenceMs / predictions.length,
        wallSeconds: seconds,
      },
      configuration: {
        backend: chosen.backend,
        backendReason: chosen.reason,
        inference: makeConfig({ ...overrides, backend: values.backend as never }),
        overrides,
        models: { detector: 'blazeface.json + facemesh.json (@vladmandic/human 3.3.6)', emotion: 'emotion.json (@vladmandic/human 3.3.6, oarriaga big-XCEPTION)' },
        chromium: browser.version(),
      },
      date: new Date().toISOString(),
    };
    console.log(formatMetricsTable(metrics));
    console.log(`speed: ${report.speed.imagesPerSecond.toFixed(1)} images/s end to end, ${report.speed.inferenceMsPerImage.toFixed(2)} ms inference per image (${chosen.backend})`);
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, JSON.stringify(report, null, 2));
    const html = out.replace(/\.json$/, '') + '.html';
    await writeFile(html, confusionMatrixHtml(metrics, `${dataset} (${mode}, ${chosen.backend}): accuracy ${(metrics.accuracy * 100).toFixed(1)} %`));
    console.log(`wrote ${out} and ${html}`);
    if (values['per-image']) {
      await writeFile(resolve(values['per-image']), JSON.stringify(perImage, null, 1));
      console.log(`wrote per-image results to ${values['per-image']}`);
    }
  } catch (err) {
    console.error(`\nstopped after scoring ${predictions.length} of ${items.length} images: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  } finally {
    await browser.close();
    await server.close();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
