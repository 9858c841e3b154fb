/**
 * npm run bench:signals-clips [-- --no-build]
 *
 * The per-face signals (valence/arousal, attending, speaking by face, quality) on the real
 * clips of ../shared/data/videos, in one headless Chromium on WASM. Each span (a whole clip,
 * or frames of a clip shown still with jitter or alternated, see bench/lib/clip-signals-spans.ts)
 * is sampled at 10 fps of video time by seeking (deterministic, whatever the machine's speed),
 * analysed by the extension's own analyzer in 'track' mode with the video time as the clock,
 * and each result fed to an engine Participant as the pipeline's applyTile does.
 *
 * Prints per clip and second: mean valence and arousal, attending share, speaking share, mean
 * quality, share "can't tell"; the clip checks as PASS/FAIL lines with their numbers (a
 * bench: nothing is asserted); speaking by face calibrated on half A of the labelled seconds
 * and scored on half B (docs/signals-protocol-speaking.md); the eye-openness distribution; the
 * quality measurement's time per face. Writes bench/results/signals-clips.json.
 * Skips, saying why, when the clips are absent.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { build } from '../scripts/build.ts';
import { chromePath } from '../scripts/lib/browser.ts';
import { listClips, ROOT, VIDEOS_DIR } from '../scripts/lib/call-session.ts';
import { serveStatic } from '../scripts/lib/serve.ts';
import { DEFAULT_CONFIG } from '../src/inference/config.ts';
import { median } from '../src/shared/stats.ts';
import { CLIP_PAGE_SCRIPT } from './lib/clip-signals-page.ts';
import { between, perSecond, replay, summarise, SPANS, type FrameRecord, type RawFrame } from './lib/clip-signals-spans.ts';
import { calibrateSpeaking, mouthStdByLabel, scoreSpeaking } from './lib/clip-signals-speaking.ts';

const { values } = parseArgs({ options: { 'no-build': { type: 'boolean', default: false } } });
/** Frames per second of video time. */
const FPS = 10;

const fmt = (x: number | null, d = 2): string => (x === null ? '–' : x.toFixed(d));

/** Value at quantile q in [0, 1] of sorted `v` (nearest rank). */
function quantile(v: readonly number[], q: number): number {
  return v[Math.min(v.length - 1, Math.max(0, Math.round(q * (v.length - 1))))]!;
}

/** Plays every span in one page; returns the analysed frames per span id. */
async function analyseSpans(): Promise<Record<string, RawFrame[]>> {
  const server = await serveStatic({ '/harness/': join(ROOT, 'dist/harness'), '/ext/': join(ROOT, 'dist/chrome'), '/videos/': VIDEOS_DIR, '/': join(ROOT, 'test/fixtures') });
  const browser = await chromium.launch({ executablePath: chromePath(), args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage();
    await page.goto(`${server.origin}/inference-harness.html`);
    await page.waitForFunction(() => document.body.dataset.ready === '1');
    await page.evaluate(() => (window as any).harness.init({ backend: { choice: 'wasm' } }));
    await page.addScriptTag({ content: CLIP_PAGE_SCRIPT });
    const frames: Record<string, RawFrame[]> = {};
    for (const [k, s] of SPANS.entries()) {
      const url = `/videos/${s.clip}.webm`;
      frames[s.id] =
        s.kind === 'play'
          ? await page.evaluate((a) => (window as any).clipSignals.play(a.url, a.key, a.fps), { url, key: s.id, fps: FPS })
          : await page.evaluate((a) => (window as any).clipSignals.still(a.url, a.at, a.key, a.seconds, a.fps, a.seed), { url, at: s.at, key: s.id, seconds: s.seconds, fps: FPS, seed: k + 1 });
      console.log(`analysed ${s.id}: ${frames[s.id]!.length} frames`);
    }
    return frames;
  } finally {
    await browser.close();
    await server.close();
  }
}

/** One check line: PASS/FAIL with the figures. */
interface Check {
  name: string;
  pass: boolean;
  figures: string;
}

function clipChecks(records: Record<string, FrameRecord[]>): Check[] {
  const wolf = records.wolf!;
  const face = records['face-smile']!;
  const none = records['no-face']!;
  const early = summarise(between(wolf, 0, 8000)).valence;
  const late = summarise(between(wolf, 11000, 20000)).valence;
  const facing = summarise(between(wolf, 10000, 16000)).attending;
  const turning = summarise(between(wolf, 16000, 20000)).attending;
  const end = face[face.length - 1]!.t;
  const first = summarise(between(face, 0, 400)).valence;
  const last = summarise(between(face, end - 900, end + 1)).valence;
  const noneSeconds = perSecond(none);
  const noneSpeaking = noneSeconds.filter((s) => (s.speaking ?? 0) > 0).length;
  const noneAttending = summarise(none).attending;
  return [
    { name: 'WolfgangLanger: mean valence 0-8 s < 0', pass: early !== null && early < 0, figures: `valence ${fmt(early, 3)}` },
    { name: 'WolfgangLanger: mean valence 11-19.6 s > 0', pass: late !== null && late > 0, figures: `valence ${fmt(late, 3)}` },
    { name: 'WolfgangLanger: attending share 16-19.6 s < 10-16 s', pass: facing !== null && turning !== null && turning < facing, figures: `${fmt(turning)} vs ${fmt(facing)}` },
    { name: 'single_face: valence of the last second > first 0.4 s', pass: first !== null && last !== null && last > first, figures: `${fmt(last, 3)} vs ${fmt(first, 3)} (first 0.4 s: ${first === null ? 'no readable face yet' : 'readable'})` },
    { name: 'no_face: no speaking second', pass: noneSpeaking === 0, figures: `${noneSpeaking} of ${noneSeconds.length} seconds` },
    { name: 'no_face: attending share 0 or null', pass: noneAttending === null || noneAttending === 0, figures: `attending share ${fmt(noneAttending)}` },
  ];
}

function printSeconds(id: string, records: FrameRecord[]): void {
  console.log(`\n${id} (per second: valence, arousal, attending share, speaking share, mean quality, share can't tell)`);
  console.log('| s | frames | valence | arousal | attending | speaking | quality | can\'t tell |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const s of perSecond(records)) console.log(`| ${s.second} | ${s.frames} | ${fmt(s.valence)} | ${fmt(s.arousal)} | ${fmt(s.attending)} | ${fmt(s.speaking)} | ${fmt(s.quality)} | ${fmt(s.cantTell)} |`);
}

/** Eye openness: distribution over every face frame of the clips, and in spans judged by eye (eyes closed while crying at 3-6 s; open at 10-13 s). */
function eyeReport(records: Record<string, FrameRecord[]>) {
  const clipIds = SPANS.filter((s) => s.kind === 'play').map((s) => s.id);
  const all = clipIds.flatMap((id) => records[id]!.flatMap((r) => (r.eyeOpenness === null ? [] : [r.eyeOpenness]))).sort((a, b) => a - b);
  const eyes = (from: number, to: number) => between(records.wolf!, from, to).flatMap((r) => (r.eyeOpenness === null ? [] : [r.eyeOpenness]));
  const closed = eyes(3000, 6000);
  const open = eyes(10000, 13000);
  const q = (v: number[]) => {
    const s = [...v].sort((a, b) => a - b);
    return s.length ? { n: s.length, min: s[0]!, p10: quantile(s, 0.1), median: quantile(s, 0.5), p90: quantile(s, 0.9), max: s[s.length - 1]! } : null;
  };
  return { threshold: DEFAULT_CONFIG.signals.eyesClosedBelow, allFaces: q(all), underThreshold: all.filter((x) => x < DEFAULT_CONFIG.signals.eyesClosedBelow).length, wolfEyesClosed3to6s: q(closed), wolfEyesOpen10to13s: q(open) };
}

async function main(): Promise<void> {
  if (!listClips().length) {
    console.log(`skipped: no clips in ${VIDEOS_DIR}`);
    return;
  }
  if (!values['no-build']) await build();
  const frames = await analyseSpans();
  const config = DEFAULT_CONFIG;
  const records = Object.fromEntries(SPANS.map((s) => [s.id, replay(frames[s.id]!, config)]));

  for (const s of SPANS.filter((x) => x.kind === 'play')) printSeconds(s.id, records[s.id]!);
  console.log('\nconstructed spans (whole span: valence, attending share, speaking share, mean quality)');
  for (const s of SPANS.filter((x) => x.kind === 'still')) {
    const m = summarise(records[s.id]!);
    console.log(`- ${s.id}: valence ${fmt(m.valence)}, attending ${fmt(m.attending)}, speaking ${fmt(m.speaking)}, quality ${fmt(m.quality)}`);
  }

  const checks = clipChecks(records);
  console.log('\nclip checks');
  for (const c of checks) console.log(`${c.pass ? 'PASS' : 'FAIL'} ${c.name}: ${c.figures}`);

  const { chosen, grid } = calibrateSpeaking(SPANS, frames, config);
  const reportB = scoreSpeaking(SPANS, frames, config, 'B', chosen.windowMs, chosen.minStd);
  const configuredA = scoreSpeaking(SPANS, frames, config, 'A', config.signals.speakingWindowMs, config.signals.speakingMinStd);
  const configuredB = scoreSpeaking(SPANS, frames, config, 'B', config.signals.speakingWindowMs, config.signals.speakingMinStd);
  const stds = mouthStdByLabel(SPANS, frames);
  const line = (s: typeof chosen) => `window ${s.windowMs} ms, minStd ${s.minStd}: precision ${fmt(s.precision)}, recall ${fmt(s.recall)}, F1 ${fmt(s.f1)} (tp ${s.tp}, fp ${s.fp}, fn ${s.fn}, tn ${s.tn}; ${s.unflagged} seconds without a flag)`;
  console.log('\nspeaking by face, per labelled second (docs/signals-protocol-speaking.md)');
  console.log(`mouth-opening std per second, moving: ${stds.moving.join(', ')}`);
  console.log(`mouth-opening std per second, not moving: ${stds.still.join(', ')}`);
  console.log(`configured, half A: ${line(configuredA)}`);
  console.log(`configured, half B: ${line(configuredB)}`);
  console.log(`chosen on half A: ${line(chosen)}`);
  const bestF1 = chosen.f1;
  const ties = grid.filter((g) => g.f1 === bestF1);
  console.log(`  (${ties.length} settings share that F1 on half A; minStd ${Math.min(...ties.map((t) => t.minStd))}..${Math.max(...ties.map((t) => t.minStd))} at window ${chosen.windowMs} ms: ${ties.filter((t) => t.windowMs === chosen.windowMs).length})`);
  console.log(`REPORT half B: ${line(reportB)}`);

  const eyes = eyeReport(records);
  console.log(`\neye openness (threshold ${eyes.threshold}): all face frames ${JSON.stringify(eyes.allFaces)}, ${eyes.underThreshold} under the threshold`);
  console.log(`  WolfgangLanger 3-6 s (eyes closed, by eye): ${JSON.stringify(eyes.wolfEyesClosed3to6s)}`);
  console.log(`  WolfgangLanger 10-13 s (eyes open, by eye): ${JSON.stringify(eyes.wolfEyesOpen10to13s)}`);

  const faceFrames = Object.values(frames).flatMap((f) => f.filter((x) => x.tile.face).map((x) => x.signalsMs));
  const signalsMs = median(faceFrames);
  console.log(`\nquality measurement (measureFaces, one face per frame): median ${signalsMs.toFixed(2)} ms per face over ${faceFrames.length} frames`);

  const out = join(ROOT, 'bench/results/signals-clips.json');
  await mkdir(join(ROOT, 'bench/results'), { recursive: true });
  const spans = Object.fromEntries(SPANS.map((s) => [s.id, { clip: s.clip, kind: s.kind, at: s.at, perSecond: perSecond(records[s.id]!) }]));
  await writeFile(
    out,
    JSON.stringify({ date: new Date().toISOString(), fps: FPS, backend: 'wasm', signals: config.signals, checks, speaking: { chosen, reportHalfB: reportB, configuredA, configuredB, mouthStdByLabel: stds, grid }, eyes, signalsMsPerFace: signalsMs, spans }, null, 1),
  );
  console.log(`wrote ${out}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
