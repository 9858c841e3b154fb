/**
 * npm run eval -- --data DIR [--mode crop|detect|crop-live|live] [--out FILE] [--backend wasm|webgl|webgpu|auto]
 *                 [--config JSON] [--split A|B|all] [--split-by image|person] [--limit N] [--per-image FILE]
 *                 [--make-labels]
 *
 * Scores a labelled image set with the extension's own inference module (the same
 * src/offscreen/face-emotion.ts the offscreen document runs, bundled into dist/harness) in
 * headless Chromium, and prints and writes (JSON, plus an HTML confusion matrix beside it):
 * n, top-1 accuracy with a 95 % Wilson interval, macro-F1, per-class recall and precision,
 * the confusion matrix (rows true), ECE (15 bins), images per second and the configuration.
 *
 * DIR holds labels.csv (path,label) and the images it names (JPEG or PNG). With --make-labels,
 * DIR holds one folder per class instead (anger/, sadness/, ... as data sets spell them; see
 * scripts/lib/class-folders.ts), and labels.csv is written there first; contempt is skipped.
 * --mode crop: each image is a tight face crop and goes straight to the emotion stage.
 * --mode detect: each whole image goes through face detection first, like a call tile;
 *   images with no face found count as errors.
 * --mode live / crop-live: like detect / crop, but each image is played as one second of a
 *   still video at targetFps through the live pipeline's face tracking, flip alternation and
 *   smoothing; the smoothed probabilities after the last frame are scored.
 * --split A|B: a deterministic half (see selectHalf in scripts/lib/evaluate.ts), by image or
 *   by person (LFW's Name_Surname_0003 -> Name_Surname, CK+'s S010_004_00000017 -> S010), so
 *   that settings can be chosen on one half and reported on the other.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from './build.ts';
import { ROOT } from './lib/call-session.ts';
import { Evaluator, selectHalf, type EvalMode, type SplitBy, type SplitHalf } from './lib/evaluate.ts';
import { writeLabelsFromFolders } from './lib/class-folders.ts';
import { readLabelledSet } from './lib/labels.ts';
import { EMOTIONS } from '../src/shared/emotions.ts';
import { confusionMatrixHtml, formatMetricsTable } from './lib/metrics.ts';
import { sanitizeOverrides, type ConfigOverrides } from '../src/inference/config.ts';

const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    mode: { type: 'string', default: 'crop' },
    out: { type: 'string' },
    backend: { type: 'string', default: 'wasm' },
    limit: { type: 'string' },
    /** JSON object of inference-config overrides, nested by stage, e.g. '{"emotion":{"flipAverage":true}}' (reported in the output). */
    config: { type: 'string', default: '{}' },
    split: { type: 'string', default: 'all' },
    'split-by': { type: 'string', default: 'image' },
    /** Also write each image's path, label and probabilities to this file (never commit it: it derives from the data set). */
    'per-image': { type: 'string' },
    /** Tag appended to the default output name (eval-<dataset>-<mode>-<name>.json). */
    name: { type: 'string' },
    'no-build': { type: 'boolean', default: false },
    /** Write DIR/labels.csv from DIR's class folders first. */
    'make-labels': { type: 'boolean', default: false },
  },
});

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

async function main(): Promise<void> {
  if (!values.data) fail('usage: npm run eval -- --data DIR [--mode crop|detect|crop-live|live] [--out FILE] [--backend wasm|webgl|webgpu|auto] [--config JSON] [--split A|B|all] [--split-by image|person] [--limit N]');
  const mode = values.mode as EvalMode;
  if (!['crop', 'detect', 'crop-live', 'live'].includes(mode)) fail(`--mode must be crop, detect, crop-live or live, got ${values.mode}`);
  if (!['wasm', 'webgl', 'webgpu', 'auto', 'cpu'].includes(values.backend)) fail(`--backend must be wasm, webgl, webgpu, auto or cpu, got ${values.backend}`);
  const split = values.split as SplitHalf;
  if (!['A', 'B', 'all'].includes(split)) fail(`--split must be A, B or all, got ${values.split}`);
  const splitBy = values['split-by'] as SplitBy;
  if (!['image', 'person'].includes(splitBy)) fail(`--split-by must be image or person, got ${values['split-by']}`);
  let overrides: ConfigOverrides;
  try {
    const checked = sanitizeOverrides(JSON.parse(values.config));
    if (checked.dropped.length) fail(`--config: unknown, mistyped or out-of-range knobs: ${checked.dropped.join(', ')}`);
    overrides = checked.overrides;
  } catch (err) {
    fail(`--config must be a JSON object: ${err instanceof Error ? err.message : String(err)}`);
  }
  const dir = resolve(values.data);
  if (values['make-labels']) {
    const made = await writeLabelsFromFolders(dir);
    const skipped = made.skipped.map((s) => `${s.folder} (${s.images})`).join(', ');
    console.log(`wrote ${join(dir, 'labels.csv')}: ${made.rows.length} images, ${EMOTIONS.map((e) => `${e} ${made.counts[e]}`).join(', ')}${skipped ? `; skipped ${skipped}` : ''}`);
  }
  const set = await readLabelledSet(dir);
  const items = selectHalf(set.items, split, splitBy).slice(0, values.limit ? Number(values.limit) : Infinity);
  const tag = values.name ? `-${values.name.replace(/[^\w.-]+/g, '_')}` : split === 'all' ? '' : `-${split}`;
  const out = resolve(values.out ?? join(ROOT, 'bench/results', `eval-${dir.split('/').pop()}-${mode}${tag}.json`));
  console.log(`Evaluating ${items.length} images of ${dir} (mode ${mode}, split ${split}${split === 'all' ? '' : ` by ${splitBy}`}, backend ${values.backend})`);

  if (!values['no-build']) await build();
  const evaluator = await Evaluator.open(values.backend);
  try {
    const run = await evaluator.run(set, items, mode, {
      overrides,
      split,
      onProgress: (n) => {
        if (process.stdout.isTTY) process.stdout.write(`\r  scored ${n}/${items.length}`);
        else if (n % 1024 < 64 || n === items.length) console.log(`  scored ${n}/${items.length}`);
      },
    });
    if (process.stdout.isTTY) process.stdout.write('\n');
    console.log(`Backend: ${run.configuration.backendReason}`);
    console.log(formatMetricsTable(run.metrics));
    console.log(`speed: ${run.speed.imagesPerSecond.toFixed(1)} images/s end to end, ${run.speed.inferenceMsPerImage.toFixed(2)} ms inference per image (${run.configuration.backend})`);
    const { images, ...summary } = run;
    const report = { ...summary, dir, n: run.metrics.n, splitBy: split === 'all' ? null : splitBy, chromium: evaluator.chromiumVersion, date: new Date().toISOString() };
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, JSON.stringify(report, null, 2));
    const html = `${out.replace(/\.json$/, '')}.html`;
    await writeFile(html, confusionMatrixHtml(run.metrics, `${run.dataset} (${mode}, ${run.configuration.backend}): accuracy ${(run.metrics.accuracy * 100).toFixed(1)} %`));
    console.log(`wrote ${out} and ${html}`);
    if (values['per-image']) {
      await writeFile(resolve(values['per-image']), JSON.stringify(images, null, 1));
      console.log(`wrote per-image results to ${values['per-image']}`);
    }
  } catch (err) {
    const scored = (err as { scored?: number }).scored ?? 0;
    console.error(`\nstopped after scoring ${scored} of ${items.length} images: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  } finally {
    await evaluator.close();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
