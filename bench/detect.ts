/**
 * npm run bench:detect [-- --no-build] [--limit N] [--negatives N] [--out FILE]
 *
 * The detector-stage benchmark behind bench/DETECTION-PROTOCOL.md: runs `detectFaces`
 * (src/inference/detector.ts, bundled into dist/harness) in headless Chromium on WASM for the
 * shipped detector (C0) and each candidate side by side on the same tiles, and prints and
 * writes (bench/results/detect.json):
 * - faces found on lfw-expressions (all, and its halves A and B by person): a photo counts
 *   when the largest kept box has its centre in the middle 40 % of the photo on both axes;
 * - false faces (any kept box) on the no_face clip, the title-only parts of face_noface and
 *   noface_face (10 frames per second, 640x360) and the generated negative set
 *   (bench/lib/negatives.ts);
 * - cost: median wall time of one detectFaces call per tile, ms, and its ratio to C0's;
 * - the protocol's choice.
 * --limit N keeps the first N photos and N frames of each clip part (a quick check; the
 * protocol's figures need the whole run). The parts whose data (../shared/data) is absent
 * are skipped, saying so.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from '../scripts/build.ts';
import { ROOT, VIDEOS_DIR } from '../scripts/lib/call-session.ts';
import { Evaluator, selectHalf } from '../scripts/lib/evaluate.ts';
import { readLabelledSet, type LabelledImage } from '../scripts/lib/labels.ts';
import { DEFAULT_CONFIG, makeConfig } from '../src/inference/config.ts';
import type { Rect } from '../src/shared/types.ts';
import type { DetectSource } from '../test/fixtures/inference-harness.ts';
import { negativeSpec, NEGATIVE_KINDS } from './lib/negatives.ts';
import { CANDIDATES, centred, choose, LFW_DIR, median, type CandidateFigures } from './lib/detect-figures.ts';

/** Clip parts with no face: file, first and last time sampled (s), 10 frames per second. */
export const CLIP_PARTS = [
  { group: 'no_face', file: 'no_face.webm', from: 0, to: Infinity },
  { group: 'titles', file: 'face_noface.webm', from: 2.5, to: Infinity },
  { group: 'titles', file: 'noface_face.webm', from: 0, to: 3.5 },
] as const;

/** Frames per second sampled from the clip parts. */
const CLIP_FPS = 10;

const { values } = parseArgs({
  options: {
    'no-build': { type: 'boolean', default: false },
    limit: { type: 'string' },
    negatives: { type: 'string', default: '320' },
    out: { type: 'string' },
  },
});

type Tagged = { source: DetectSource; group: 'lfw' | 'no_face' | 'titles' | 'generated'; item?: LabelledImage; kind?: string };
type RunResult = { width: number; height: number; runs: { faces: { box: Rect; score: number; meshScore: number }[]; ms: number }[] };

async function main(): Promise<void> {
  const limit = values.limit ? Number(values.limit) : Infinity;
  const negatives = Number(values.negatives);
  const out = resolve(values.out ?? join(ROOT, 'bench/results/detect.json'));
  const skipped: string[] = [];
  const haveLfw = existsSync(join(LFW_DIR, 'labels.csv'));
  if (!haveLfw) skipped.push(`lfw-expressions: ${LFW_DIR}/labels.csv is absent (../shared/data is not on this machine)`);
  const haveClips = CLIP_PARTS.every((p) => existsSync(join(VIDEOS_DIR, p.file)));
  if (!haveClips) skipped.push(`clip frames: ${CLIP_PARTS.map((p) => p.file).join(', ')} not all in ${VIDEOS_DIR}`);
  for (const s of skipped) console.log(`skipped ${s}`);

  if (!values['no-build']) await build();
  const evaluator = await Evaluator.open('wasm');
  const { page, chosen: { backend, reason } } = await evaluator.openPage(haveLfw ? LFW_DIR : join(ROOT, 'test/fixtures'), {});
  try {
    if (backend !== 'wasm') throw new Error(`the harness runs on ${backend}, not wasm: ${reason}`);
    const tiles: Tagged[] = [];
    const set = haveLfw ? await readLabelledSet(LFW_DIR) : null;
    const halfA = new Set(set ? selectHalf(set.items, 'A', 'person').map((i) => i.path) : []);
    for (const item of (set?.items ?? []).slice(0, limit)) tiles.push({ source: { kind: 'image', url: `/data/${item.path.split('/').map(encodeURIComponent).join('/')}` }, group: 'lfw', item });
    if (haveClips) {
      for (const p of CLIP_PARTS) {
        const url = `/videos/${p.file}`;
        const duration: number = await page.evaluate((u) => (window as any).harness.clipDuration(u), url);
        let n = 0;
        for (let i = 0; n < limit; i++) {
          const time = Math.round((p.from + i / CLIP_FPS) * 1000) / 1000;
          if (time > Math.min(p.to, duration - 0.05)) break;
          tiles.push({ source: { kind: 'video', url, time }, group: p.group });
          n++;
        }
      }
    }
    for (let i = 0; i < negatives; i++) tiles.push({ source: { kind: 'negative', index: i }, group: 'generated', kind: negativeSpec(i).kind });
    console.log(`Detector bench: ${tiles.length} tiles (lfw ${tiles.filter((t) => t.group === 'lfw').length}, no_face ${tiles.filter((t) => t.group === 'no_face').length}, titles ${tiles.filter((t) => t.group === 'titles').length}, generated ${negatives}), ${CANDIDATES.length} candidates, ${backend}`);

    const results: RunResult[] = [];
    const BATCH = 24;
    for (let i = 0; i < tiles.length; i += BATCH) {
      const batch = tiles.slice(i, i + BATCH);
      const r = await page.evaluate(([s, c, o]) => (window as any).harness.detectBench(s, c, o), [batch.map((t) => t.source), CANDIDATES.map((c) => c.overrides), i] as const);
      results.push(...(r as RunResult[]));
      if (process.stdout.isTTY) process.stdout.write(`\r  ${results.length}/${tiles.length} tiles`);
    }
    if (process.stdout.isTTY) process.stdout.write('\n');

    const baseMedian = median(results.map((r) => r.runs[0]!.ms));
    const figures: CandidateFigures[] = CANDIDATES.map((c, k) => {
      const found = { all: 0, A: 0, B: 0 };
      let offCentre = 0;
      const falseFaces = { no_face: 0, titles: 0, generated: 0, byKind: Object.fromEntries(NEGATIVE_KINDS.map((n) => [n, 0])) as Record<string, number> };
      const lfwMs: number[] = [];
      const negMs: number[] = [];
      tiles.forEach((t, i) => {
        const r = results[i]!;
        const run = r.runs[k]!;
        if (t.group === 'lfw') {
          lfwMs.push(run.ms);
          const face = run.faces[0];
          if (face && centred(face.box, r.width, r.height)) {
            found.all++;
            found[halfA.has(t.item!.path) ? 'A' : 'B']++;
          } else if (face) {
            offCentre++;
          }
        } else {
          negMs.push(run.ms);
          falseFaces[t.group] += run.faces.length;
          if (t.kind) falseFaces.byKind[t.kind]! += run.faces.length;
        }
      });
      const medianMs = median(results.map((r) => r.runs[k]!.ms));
      const mine = makeConfig(c.overrides);
      const shipped = JSON.stringify([mine.detector, mine.mesh]) === JSON.stringify([DEFAULT_CONFIG.detector, DEFAULT_CONFIG.mesh]);
      return { id: c.id, what: c.what, shipped, found, offCentre, falseFaces, cost: { medianMs, ratio: medianMs / baseMedian, lfwMedianMs: median(lfwMs), negativeMedianMs: median(negMs) }, eligible: false };
    });
    const choice = choose(figures);
    for (const f of figures) f.eligible = f.falseFaces.no_face + f.falseFaces.titles + f.falseFaces.generated === 0 && f.cost.ratio <= 1.2;

    const nA = tiles.filter((t) => t.group === 'lfw' && halfA.has(t.item!.path)).length;
    const nLfw = tiles.filter((t) => t.group === 'lfw').length;
    const nB = nLfw - nA;
    const pct = (x: number, n: number): string => (n ? `${((100 * x) / n).toFixed(1)} %` : '-');
    console.log(`\n| cand. | what | found all (${nLfw}) | A (${nA}) | B (${nB}) | off-centre | false: no_face / titles / generated | ms/tile median | ratio |`);
    console.log('|---|---|---|---|---|---|---|---|---|');
    for (const f of figures) {
      console.log(`| ${f.id}${f.shipped ? ' (shipped)' : ''} | ${f.what} | ${f.found.all} (${pct(f.found.all, nLfw)}) | ${f.found.A} (${pct(f.found.A, nA)}) | ${f.found.B} (${pct(f.found.B, nB)}) | ${f.offCentre} | ${f.falseFaces.no_face} / ${f.falseFaces.titles} / ${f.falseFaces.generated} | ${f.cost.medianMs.toFixed(1)} | ${f.cost.ratio.toFixed(2)} |`);
    }
    for (const f of figures) {
      const kinds = Object.entries(f.falseFaces.byKind).filter(([, n]) => n > 0);
      if (kinds.length) console.log(`  ${f.id} false faces on generated: ${kinds.map(([k, n]) => `${k} ${n}`).join(', ')}`);
    }
    console.log(`\nProtocol: winner ${choice.winner}, ${choice.adopt ? 'adopt as default' : 'defaults stay'}: ${choice.why}`);
    const report = {
      date: new Date().toISOString(),
      chromium: evaluator.chromiumVersion,
      backend,
      protocol: 'bench/DETECTION-PROTOCOL.md',
      skipped,
      tiles: { lfw: nLfw, lfwA: nA, lfwB: nB, no_face: tiles.filter((t) => t.group === 'no_face').length, titles: tiles.filter((t) => t.group === 'titles').length, generated: negatives },
      limit: Number.isFinite(limit) ? limit : null,
      baseConfiguration: makeConfig(CANDIDATES[0]!.overrides, { backend: { choice: 'wasm' } }),
      shippedConfiguration: makeConfig({ backend: { choice: 'wasm' } }),
      candidates: CANDIDATES,
      figures,
      choice,
    };
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, JSON.stringify(report, null, 2));
    console.log(`wrote ${out}`);
  } finally {
    await page.close();
    await evaluator.close();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.stack : String(err));
  process.exit(1);
});
