/**
 * npm run bench:stages [-- --frames 24 --name NAME]
 *
 * The inference module alone, in one headless Chromium, on a 1280x720 frame holding 9 tiles
 * (426x240) of the real clips (three of them without a face part of the time), each tile
 * alternating between two nearby frames of its clip so every frame changes. The same frames
 * go, interleaved, through two analyzers in two pages of the same browser, each tile cut out
 * of the frame into an image of its own as Chrome's frame source does:
 * - "shipped": the shipped configuration (tracking, scheduled re-detection, flip alternation,
 *   frozen-tile check);
 * - "every tile every frame": every tile detected every frame and both flips classified
 *   (`tracking.enabled: false, emotion.flipAlternate: false, frozen.threshold: 0`).
 * Frames are analysed back to back (no frame-rate cap), so the figures are the pipeline's own
 * cost, without the call page, the tab capture or the popup. Prints, per configuration, the
 * median ms per frame and its stages (reading the tiles, detection, mesh tracking, emotion), tiles analysed per
 * frame and the analyses per second that cost allows, and the ratio; writes
 * bench/results/stages-<name>.json. No pass/fail on time.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type Page } from 'playwright-core';
import { build } from '../scripts/build.ts';
import { chromePath } from '../scripts/lib/browser.ts';
import { listClips, ROOT, VIDEOS_DIR } from '../scripts/lib/call-session.ts';
import { serveStatic } from '../scripts/lib/serve.ts';
import type { ConfigOverrides } from '../src/inference/config.ts';
import { median } from '../src/shared/stats.ts';

const { values } = parseArgs({
  options: {
    frames: { type: 'string', default: '24' },
    warmup: { type: 'string', default: '4' },
    name: { type: 'string', default: 'wasm-9' },
    'no-build': { type: 'boolean', default: false },
  },
});
const FRAMES = Number(values.frames);
const WARMUP = Number(values.warmup);
/** Clips of the 9 tiles (as the demo call repeats them). */
const TILE_CLIPS = ['WolfgangLanger_Pexels', 'single_face', 'face_noface', 'noface_face', 'no_face', 'WolfgangLanger_Pexels', 'single_face', 'face_noface', 'noface_face'];
const CONFIGS: Record<string, ConfigOverrides> = {
  shipped: {},
  'every tile every frame': { tracking: { enabled: false }, emotion: { flipAlternate: false }, frozen: { threshold: 0 } },
};

interface Timing {
  totalMs: number;
  /** Cutting the tiles out of the frame, reading them into tensors, the frozen-tile check. */
  readMs: number;
  detectMs: number;
  trackMs: number;
  emotionMs: number;
}


async function main(): Promise<void> {
  if (!listClips().length) {
    console.log(`skipped: no clips in ${VIDEOS_DIR}`);
    return;
  }
  if (!values['no-build']) await build();
  const server = await serveStatic({ '/harness/': join(ROOT, 'dist/harness'), '/ext/': join(ROOT, 'dist/chrome'), '/videos/': VIDEOS_DIR, '/': join(ROOT, 'test/fixtures') });
  const browser = await chromium.launch({ executablePath: chromePath(), args: ['--no-sandbox'] });
  try {
    // Two nearby frames of each tile's clip (0.2 s apart), early in the clip.
    const specs = TILE_CLIPS.flatMap((c, i) => [0, 0.2].map((dt) => ({ url: `/videos/${c}.webm`, time: 0.4 + (i % 4) * 0.4 + dt })));
    const pages: Record<string, Page> = {};
    for (const [name, overrides] of Object.entries(CONFIGS)) {
      const page = await browser.newPage();
      await page.goto(`${server.origin}/inference-harness.html`);
      await page.waitForFunction(() => document.body.dataset.ready === '1');
      await page.evaluate((o) => (window as any).harness.init({ ...o, backend: { choice: 'wasm' } }), overrides);
      await page.evaluate((s) => (window as any).harness.loadFrames(s), specs);
      pages[name] = page;
    }
    const samples: Record<string, { timing: Timing; analysed: number; tracked: number }[]> = Object.fromEntries(Object.keys(CONFIGS).map((k) => [k, []]));
    const load = loadavg()[0]!;
    for (let f = 0; f < WARMUP + FRAMES; f++) {
      const layout = TILE_CLIPS.map((_, k) => ({ key: `tile-${k}`, spec: specs[k * 2 + (f % 2)], rect: { x: (k % 3) * 426, y: Math.floor(k / 3) * 240, width: 426, height: 240 } }));
      for (const name of Object.keys(CONFIGS)) {
        const r = await pages[name]!.evaluate((l) => (window as any).harness.analyseLayout(l, 1280, 720, 'track'), layout);
        if (f < WARMUP) continue;
        const tiles = r.tiles as { status: string; tracked: boolean }[];
        samples[name]!.push({ timing: r.timing, analysed: tiles.filter((t) => t.status === 'analysed').length, tracked: tiles.filter((t) => t.tracked).length });
      }
    }
    const summary = Object.entries(samples).map(([name, s]) => {
      const ms = median(s.map((x) => x.timing.totalMs));
      const analysed = s.reduce((a, x) => a + x.analysed, 0) / s.length;
      return {
        config: name,
        overrides: CONFIGS[name],
        msPerFrame: { median: ms, read: median(s.map((x) => x.timing.readMs)), detect: median(s.map((x) => x.timing.detectMs)), track: median(s.map((x) => x.timing.trackMs)), emotion: median(s.map((x) => x.timing.emotionMs)) },
        tilesAnalysedPerFrame: analysed,
        trackedPerFrame: s.reduce((a, x) => a + x.tracked, 0) / s.length,
        analysesPerSecondAtThisCost: (analysed * 1000) / ms,
      };
    });
    const [now, before] = summary;
    const ratio = before!.msPerFrame.median / now!.msPerFrame.median;
    console.log(`machine: ${cpus().length} cores, load average ${load.toFixed(1)}; 9 tiles, ${FRAMES} frames each, medians`);
    console.log('| config | ms per frame | read tiles | detect | mesh tracking | emotion | tiles analysed / frame | tracked / frame | analyses/s at this cost |');
    console.log('|---|---|---|---|---|---|---|---|---|');
    for (const r of summary) {
      console.log(`| ${r.config} | ${r.msPerFrame.median.toFixed(0)} | ${r.msPerFrame.read.toFixed(0)} | ${r.msPerFrame.detect.toFixed(0)} | ${r.msPerFrame.track.toFixed(0)} | ${r.msPerFrame.emotion.toFixed(0)} | ${r.tilesAnalysedPerFrame.toFixed(1)} | ${r.trackedPerFrame.toFixed(1)} | ${r.analysesPerSecondAtThisCost.toFixed(1)} |`);
    }
    console.log(`every tile every frame / shipped, ms per frame: ${ratio.toFixed(2)}x`);
    const out = join(ROOT, 'bench/results', `stages-${values.name}.json`);
    await mkdir(join(ROOT, 'bench/results'), { recursive: true });
    await writeFile(out, JSON.stringify({ date: new Date().toISOString(), cores: cpus().length, cpu: cpus()[0]?.model, loadAverage: load, frames: FRAMES, warmup: WARMUP, summary, ratioEveryTileToShipped: ratio }, null, 2));
    console.log(`wrote ${out}`);
  } finally {
    await browser.close();
    await server.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
