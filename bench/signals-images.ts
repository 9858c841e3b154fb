/**
 * npm run bench:signals-images [-- --no-build] [--fer N] [--lfw N] [--out FILE]
 *
 * Measured figures for face quality ("can't tell") and head pose, by the rule of
 * docs/signals-protocol.md: lfw-expressions photos and a FER-2013 subsample (default 150), each
 * analysed in headless Chromium (WASM, shipped defaults) as the original and as copies shrunk,
 * darkened, blurred and rotated in the page. Prints and writes
 * (bench/results/signals-images.json, aggregates only):
 *   - the ramp ends calibrated on the A halves, the threshold candidates on A and the chosen one;
 *   - on the B halves: accuracy above / below the threshold (95 % Wilson), share below per copy;
 *   - roll error of rotated frontal faces, and our yaw against human's own rotation output on
 *     the LFW photos and frames of WolfgangLanger_Pexels.webm.
 * Prints figures only; never passes or fails on them. Skips (exit 0) without the data sets.
 * `--fer` / `--lfw` limit the images (a quick look; the protocol's figures use the defaults).
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { build } from '../scripts/build.ts';
import { assertChromium } from '../scripts/lib/browser.ts';
import { ROOT, VIDEOS_DIR } from '../scripts/lib/call-session.ts';
import { fnv1a, selectHalf, type SplitBy } from '../scripts/lib/evaluate.ts';
import { readLabelledSet, type LabelledImage } from '../scripts/lib/labels.ts';
import { serveStatic } from '../scripts/lib/serve.ts';
import { QUALITY_RAMPS } from '../src/inference/face-quality.ts';
import { SIGNALS_PAGE_SCRIPT, type PageFace, type PageImageResult, type Variant } from './lib/signals-page.ts';
import { calibrateRamps, chooseThreshold, percentile, scoreWith, type CopyRecord, type Ramps } from './lib/signals-stats.ts';
import { halfBReport, poseFigures, printReport, type ImageRun } from './lib/signals-report.ts';

const DATA = resolve(ROOT, '../shared/data');
const LFW_DIR = join(DATA, 'lfw-expressions');
const FER_DIR = join(DATA, 'fer2013-public');
const CLIP = 'WolfgangLanger_Pexels.webm';
/** The quality set's copies, then the pose-only rotations (docs/signals-protocol.md). */
const VARIANTS: Variant[] = [
  { kind: 'orig', value: 1 },
  ...[0.5, 0.3, 0.18].map((value) => ({ kind: 'shrink' as const, value })),
  ...[0.35, 0.15].map((value) => ({ kind: 'dark' as const, value })),
  ...[2, 4].map((value) => ({ kind: 'blur' as const, value })),
  ...[15, 30, 45, -30, -20, -10, 10, 20].map((value) => ({ kind: 'rotate' as const, value })),
];
const QUALITY_COPIES = 11;
/** Video frames for the yaw comparison: every 0.25 s of the clip (19.7 s). */
const CLIP_TIMES = Array.from({ length: 79 }, (_, i) => i * 0.25);

const { values } = parseArgs({
  options: {
    'no-build': { type: 'boolean', default: false },
    fer: { type: 'string', default: '150' },
    lfw: { type: 'string' },
    out: { type: 'string', default: join(ROOT, 'bench/results/signals-images.json') },
  },
});

/** Quality of the clip's frames (real video, not degraded): faces found, medians, share under `t` with `ramps`. */
function clipQuality(frames: readonly { face: PageFace | null }[], ramps: Ramps, t: number) {
  const faces = frames.flatMap((f) => (f.face ? [f.face] : []));
  const scores = faces.map((f) => scoreWith(ramps, { ...f, yawDeg: f.pose?.yaw ?? null }));
  return {
    frames: frames.length,
    found: faces.length,
    median: { sidePx: percentile(faces.map((f) => f.sidePx), 50), brightness: percentile(faces.map((f) => f.brightness), 50), sharpness: percentile(faces.map((f) => f.sharpness), 50) },
    sharpnessP10: percentile(faces.map((f) => f.sharpness), 10),
    belowShare: scores.filter((s) => s < t).length / (faces.length || NaN),
  };
}

const halfOf = (item: LabelledImage, by: SplitBy): 'A' | 'B' => (selectHalf([item], 'A', by).length === 1 ? 'A' : 'B');

async function main(): Promise<void> {
  if (!existsSync(join(LFW_DIR, 'labels.csv')) || !existsSync(join(FER_DIR, 'labels.csv'))) {
    console.log(`Skipped: the labelled sets are not in ${DATA}.`);
    return;
  }
  if (!values['no-build']) await build();
  const lfw = (await readLabelledSet(LFW_DIR)).items.slice(0, values.lfw ? Number(values.lfw) : undefined);
  const fer = [...(await readLabelledSet(FER_DIR)).items]
    .sort((a, b) => fnv1a(`callmood-signals-sub:${a.path}`) - fnv1a(`callmood-signals-sub:${b.path}`))
    .slice(0, Number(values.fer));
  const jobs = [...lfw.map((item) => ({ set: 'lfw' as const, item, half: halfOf(item, 'person') })), ...fer.map((item) => ({ set: 'fer' as const, item, half: halfOf(item, 'image') }))];

  const server = await serveStatic({ '/harness/': join(ROOT, 'dist/harness'), '/ext/': join(ROOT, 'dist/chrome'), '/lfw/': LFW_DIR, '/fer/': FER_DIR, '/videos/': VIDEOS_DIR, '/': join(ROOT, 'test/fixtures') });
  const browser = await chromium.launch({ executablePath: assertChromium(), args: ['--no-sandbox', '--disable-background-networking'] });
  const runs: ImageRun[] = [];
  let frames: { time: number; ours: number | null; human: number | null; face: PageFace | null }[] = [];
  let backend = '';
  const started = Date.now();
  try {
    const page = await browser.newPage();
    await page.goto(`${server.origin}/inference-harness.html`);
    await page.waitForFunction(() => document.body.dataset.ready === '1');
    backend = (await page.evaluate(() => (window as any).harness.init({ backend: { choice: 'wasm' } }))).reason;
    await page.addScriptTag({ content: SIGNALS_PAGE_SCRIPT });
    console.log(`Backend: ${backend}; ${lfw.length} LFW photos, ${fer.length} FER crops, ${VARIANTS.length} copies of each photo, ${QUALITY_COPIES} of each crop`);
    for (const [k, job] of jobs.entries()) {
      const url = `/${job.set}/${job.item.path.split('/').map(encodeURIComponent).join('/')}`;
      const r: PageImageResult = await page.evaluate(([u, f, v, h]) => (window as any).signalsBench.analyseImage(u, f, v, h), [url, job.set === 'fer', job.set === 'fer' ? VARIANTS.slice(0, QUALITY_COPIES) : VARIANTS, job.set === 'lfw'] as const);
      runs.push({ set: job.set, half: job.half, label: job.item.label, faces: r.faces, humanYaw: r.humanYaw });
      if ((k + 1) % 50 === 0) console.log(`  ${k + 1}/${jobs.length} images (${((Date.now() - started) / 1000).toFixed(0)} s)`);
    }
    if (existsSync(join(VIDEOS_DIR, CLIP))) {
      for (let i = 0; i < CLIP_TIMES.length; i += 10) {
        const part = await page.evaluate(([u, t]) => (window as any).signalsBench.analyseFrames(u, t), [`/videos/${CLIP}`, CLIP_TIMES.slice(i, i + 10)] as const);
        frames = frames.concat(part as typeof frames);
      }
    }
  } finally {
    await browser.close();
    await server.close();
  }

  const records: CopyRecord[] = runs.flatMap((run) =>
    VARIANTS.slice(0, QUALITY_COPIES).map((v, k) => {
      const f = run.faces[k] ?? null;
      return {
        set: run.set,
        half: run.half,
        kind: v.kind,
        value: v.value,
        found: f !== null,
        correct: f !== null && f.pred === run.label,
        sidePx: f?.sidePx ?? NaN,
        yawDeg: f ? (f.pose?.yaw ?? null) : null,
        brightness: f?.brightness ?? NaN,
        sharpness: f?.sharpness ?? NaN,
      };
    }),
  );
  const guess: Ramps = structuredClone(QUALITY_RAMPS);
  const mismatches = runs.flatMap((run) => run.faces.filter((f) => f && Math.abs(scoreWith(guess, { ...f, yawDeg: f.pose?.yaw ?? null }) - f.score) > 1e-4)).length;
  const a = records.filter((r) => r.half === 'A');
  const { ramps, how } = calibrateRamps(a, guess);
  const choice = chooseThreshold(a, ramps);
  const report = {
    protocol: 'docs/signals-protocol.md',
    backend,
    chromium: browser.version(),
    images: { lfw: lfw.length, fer: fer.length, ferSubsample: `the ${fer.length} crops with the lowest FNV-1a("callmood-signals-sub:" + path)` },
    scoreCheck: { recomputedMismatches: mismatches },
    guessedRamps: guess,
    calibration: how,
    ramps,
    thresholdCandidatesA: choice.rows,
    minQuality: choice.chosen,
    halfB: halfBReport(records.filter((r) => r.half === 'B'), ramps, choice.chosen),
    clipQuality: clipQuality(frames, ramps, choice.chosen),
    headPose: poseFigures(runs, VARIANTS, frames),
    wallSeconds: (Date.now() - started) / 1000,
  };
  printReport(report);
  const c = report.clipQuality;
  console.log(`\n${CLIP} frames (real video): ${c.found}/${c.frames} with a face; median side ${c.median.sidePx.toFixed(0)} px, gray ${c.median.brightness.toFixed(0)}, sharpness ${c.median.sharpness.toFixed(0)} (p10 ${c.sharpnessP10.toFixed(0)}); under minQuality: ${(100 * c.belowShare).toFixed(1)} %`);
  await mkdir(dirname(values.out), { recursive: true });
  await writeFile(values.out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nWrote ${values.out}`);
}

await main();
