/**
 * npm run bench:fer-framing [-- --no-build] [-- --limit N]
 *
 * Where the eyes are in FER-2013's crops: runs the extension's detector and face mesh
 * (independent mode, WASM, headless Chromium) on the FER-2013 PublicTest images of the
 * choosing half (A, by image) and prints the means (and quartiles), as fractions of the crop side, of the
 * eye centres' midpoint (x, y) and of their distance, over the images whose face the mesh
 * fits (the detector's checks pass). These are alignment.ts's FER_EYES, which the aligned
 * emotion crop ('fer') frames every face to. Writes bench/results/fer-framing.json.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from '../scripts/build.ts';
import { ROOT } from '../scripts/lib/call-session.ts';
import { Evaluator, selectHalf } from '../scripts/lib/evaluate.ts';
import { readLabelledSet } from '../scripts/lib/labels.ts';
import { EYE_CORNERS, FER_EYES } from '../src/inference/alignment.ts';

const { values } = parseArgs({ options: { 'no-build': { type: 'boolean', default: false }, limit: { type: 'string' } } });
const FER = resolve(ROOT, '../shared/data/fer2013-public');
const OUT = join(ROOT, 'bench/results/fer-framing.json');
const BATCH = 64;

/** Median of a non-empty list. */
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Mean of a non-empty list. */
function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Quartiles (25 %, 75 %) of a non-empty list, for the spread. */
function quartiles(xs: number[]): [number, number] {
  const s = [...xs].sort((a, b) => a - b);
  return [s[Math.floor(0.25 * (s.length - 1))]!, s[Math.floor(0.75 * (s.length - 1))]!];
}

async function main(): Promise<void> {
  const set = await readLabelledSet(FER);
  const items = selectHalf(set.items, 'A', 'image').slice(0, values.limit ? Number(values.limit) : Infinity);
  if (!values['no-build']) await build();
  const evaluator = await Evaluator.open('wasm');
  const eyes: { midX: number; midY: number; distance: number; rollDeg: number }[] = [];
  try {
    const { page } = await evaluator.openPage(FER, {});
    for (let i = 0; i < items.length; i += BATCH) {
      const urls = items.slice(i, i + BATCH).map((it) => `/data/${it.path.split('/').map(encodeURIComponent).join('/')}`);
      const got = await page.evaluate(
        async ([list, corners]) => {
          const h = (window as any).harness;
          const out: (number[] | null)[] = [];
          for (const url of list) {
            const r = await h.analyseImage(url);
            const face = r.tiles[0]?.face;
            if (!face?.landmarks) out.push(null);
            else out.push([r.width, ...corners.flatMap((k: number) => [face.landmarks[k * 3], face.landmarks[k * 3 + 1]])]);
          }
          return out;
        },
        [urls, [...EYE_CORNERS.first, ...EYE_CORNERS.second]] as const,
      );
      for (const g of got) {
        if (!g) continue;
        const [side, ax, ay, bx, by, cx, cy, dx, dy] = g as [number, number, number, number, number, number, number, number, number];
        const first = { x: (ax + bx) / 2, y: (ay + by) / 2 };
        const second = { x: (cx + dx) / 2, y: (cy + dy) / 2 };
        eyes.push({
          midX: (first.x + second.x) / 2 / side,
          midY: (first.y + second.y) / 2 / side,
          distance: Math.hypot(second.x - first.x, second.y - first.y) / side,
          rollDeg: (Math.atan2(second.y - first.y, second.x - first.x) * 180) / Math.PI,
        });
      }
      if (!process.stdout.isTTY) console.log(`  ${Math.min(i + BATCH, items.length)}/${items.length} images, ${eyes.length} faces fitted`);
    }
    await page.close();
  } finally {
    await evaluator.close();
  }
  if (eyes.length === 0) throw new Error('the mesh fitted no FER-2013 face');
  const stat = (k: keyof (typeof eyes)[number]) => ({ mean: mean(eyes.map((e) => e[k])), median: median(eyes.map((e) => e[k])), quartiles: quartiles(eyes.map((e) => e[k])) });
  const report = {
    date: new Date().toISOString(),
    set: 'fer2013-public, half A by image',
    images: items.length,
    fitted: eyes.length,
    midX: stat('midX'),
    midY: stat('midY'),
    distance: stat('distance'),
    rollDeg: stat('rollDeg'),
    shipped: FER_EYES,
  };
  console.log(`FER-2013 A: the mesh fitted ${eyes.length} of ${items.length} faces`);
  for (const k of ['midX', 'midY', 'distance', 'rollDeg'] as const) console.log(`  ${k.padEnd(8)} mean ${report[k].mean.toFixed(3)}, median ${report[k].median.toFixed(3)} (quartiles ${report[k].quartiles.map((q) => q.toFixed(3)).join('–')})`);
  console.log(`  alignment.ts FER_EYES: ${JSON.stringify(FER_EYES)}`);
  await mkdir(join(ROOT, 'bench/results'), { recursive: true });
  await writeFile(OUT, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`wrote ${OUT}`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
