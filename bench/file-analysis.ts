/**
 * npm run bench:file-analysis [-- --runs N] [--no-build]
 *
 * How fast does "Analyse a recording" (analyse.html, src/analyse/file-analysis.ts) go, and how
 * much of that is the analysis rather than the decoding? In one headless Debian Chromium with
 * the built extension, for two videos:
 *   - the WolfgangLanger clip (19.7 s, 640x360, one face);
 *   - a 9-person grid recording made from the face clips with ffmpeg (3x3 cells of 426x240,
 *     1278x720, 20 s, VP8; made once under os.tmpdir()/callmood-bench/, never in the
 *     repository), each cell a face for the whole video;
 * each run (N, default 3, runs interleaved so a busy spell hits all alike) measures:
 *   - analysis, playing through (the page's default) and seeking only (`analyse.html?stepping=seek`):
 *     the page as a user drives it (`analyseInPage`, the file input), its speed in video
 *     seconds per wall-clock second (`body[data-speed]`, model loading excluded), the people
 *     it found, and how evenly the analysed frames' media times are spaced (`data-stepping`);
 *   - seeking alone: the seek-stepping at FILE_FPS frames per second of video time over the
 *     same file in an analyse.html page, waiting for each `seeked`, with no analysis.
 * Prints medians (min-max), the ratio of playing to seeking per run, and "seeking-stepped
 * analysis takes Z of the time" (Z = 1 − X/Y: the share of its wall time not spent seeking),
 * and writes bench/results/file-analysis.json with the machine (cores, load average per run),
 * the backend and the inference configuration the page ran with (the shipped defaults with
 * backend 'auto' and FILE_MAX_FACES faces per frame). The grid's people are bounded by
 * FILE_MAX_FACES faces per frame: the whole picture is one tile. Prints figures
 * only; never passes or fails on them. Skips, saying why, without the clips or ffmpeg
 * (/usr/bin/ffmpeg or FFMPEG_PATH).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from '../scripts/build.ts';
import type { SteppingReport } from '../src/analyse/file-analysis.ts';
import type { FrameSpacing } from '../src/analyse/play-steps.ts';
import { analyseInPage, type PageResult } from '../scripts/lib/analyse-file.ts';
import { launchWithExtension, type ExtensionBrowser } from '../scripts/lib/browser.ts';
import { ROOT, VIDEOS_DIR } from '../scripts/lib/call-session.ts';
import { DEFAULT_CONFIG } from '../src/inference/config.ts';
import { median } from '../src/shared/stats.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' }, 'no-build': { type: 'boolean', default: false } } });

/**
 * Frames per second of video time the page analyses: read from src/analyse/file-analysis.ts
 * (that module loads tfjs and cannot be imported in Node), so the seek baseline steps as the
 * analysis does.
 */
const FILE_FPS = (() => {
  const m = /export const FILE_FPS = (\d+(?:\.\d+)?);/.exec(readFileSync(join(ROOT, 'src/analyse/file-analysis.ts'), 'utf8'));
  if (!m) throw new Error('FILE_FPS not found in src/analyse/file-analysis.ts');
  return Number(m[1]);
})();

/** Most faces per frame of a file: read from src/analyse/file-analysis.ts as FILE_FPS is. */
const FILE_MAX_FACES = (() => {
  const m = /export const FILE_MAX_FACES = (\d+);/.exec(readFileSync(join(ROOT, 'src/analyse/file-analysis.ts'), 'utf8'));
  if (!m) throw new Error('FILE_MAX_FACES not found in src/analyse/file-analysis.ts');
  return Number(m[1]);
})();

/** ffmpeg: env FFMPEG_PATH, else Debian's /usr/bin/ffmpeg. */
const FFMPEG = process.env.FFMPEG_PATH ?? '/usr/bin/ffmpeg';

/** Where the grid recording is made and kept between runs (outside the repository). */
const CACHE_DIR = join(tmpdir(), 'callmood-bench');

/** One cell of the grid: a span of a clip [from, to) s, looped to fill the video, maybe mirrored. */
interface Cell {
  clip: string;
  from: number;
  to: number;
  hflip: boolean;
}

const WOLF = 'WolfgangLanger_Pexels.webm';
/** Grid length, s; cell size, px; frame rate, fps; keyframe interval, frames (5 s, as the Wolfgang clip's 5.3 s). */
const GRID = { seconds: 20, cellWidth: 426, cellHeight: 240, fps: 24, gop: 120 } as const;
/**
 * The nine cells, row by row: every cell shows a face for the whole video. The Wolfgang clip
 * starts at four different points (so its four cells never show the same frame), the man of
 * single_face in five (face_noface's first 2 s and noface_face's last 1.9 s are him too, the
 * parts with a face); mirrored cells differ further. Short spans loop.
 */
const CELLS: Cell[] = [
  { clip: WOLF, from: 0, to: 19.6, hflip: false },
  { clip: 'single_face.webm', from: 0, to: 2.4, hflip: false },
  { clip: WOLF, from: 5, to: 19.6, hflip: true },
  { clip: 'noface_face.webm', from: 4.4, to: 6.3, hflip: false },
  { clip: WOLF, from: 10, to: 19.6, hflip: false },
  { clip: 'single_face.webm', from: 0, to: 2.4, hflip: true },
  { clip: 'face_noface.webm', from: 0, to: 2.0, hflip: true },
  { clip: WOLF, from: 15, to: 19.6, hflip: true },
  { clip: 'single_face.webm', from: 0.8, to: 2.4, hflip: false },
];

/** Why this benchmark cannot run here, or false. */
function skipReason(): string | false {
  if (!existsSync(FFMPEG)) return `ffmpeg not found at ${FFMPEG} (apt-get install ffmpeg, or set FFMPEG_PATH)`;
  const missing = [...new Set(CELLS.map((c) => c.clip))].filter((c) => !existsSync(join(VIDEOS_DIR, c)));
  return missing.length ? `face clips missing from ${VIDEOS_DIR}: ${missing.join(', ')}` : false;
}

/**
 * Makes the 3x3 grid recording (GRID, CELLS) with ffmpeg, or returns the one made before.
 * Each cell's span is cut at GRID.fps, scaled to the cell, looped (ffmpeg's `loop` filter)
 * and the nine are joined by `xstack`; VP8 in WebM, no audio.
 * @returns the path of the video, under CACHE_DIR.
 * @throws Error with ffmpeg's message when it fails.
 */
async function gridVideo(): Promise<string> {
  const spec = JSON.stringify({ GRID, CELLS });
  const key = [...spec].reduce((h, c) => (Math.imul(h, 31) + c.charCodeAt(0)) >>> 0, 7).toString(16);
  const path = join(CACHE_DIR, `grid-3x3-${key}.webm`);
  if (existsSync(path)) return path;
  await mkdir(CACHE_DIR, { recursive: true });
  const { seconds, cellWidth: w, cellHeight: h, fps, gop } = GRID;
  const chains = CELLS.map((c, i) => {
    const frames = Math.round((c.to - c.from) * fps);
    return `[${i}:v]fps=${fps},trim=start=${c.from}:end=${c.to},setpts=PTS-STARTPTS,scale=${w}:${h},setsar=1${c.hflip ? ',hflip' : ''},loop=loop=-1:size=${frames}:start=0,setpts=N/${fps}/TB,trim=end_frame=${seconds * fps}[c${i}]`;
  });
  const layout = [0, 1, 2].flatMap((row) => [0, 1, 2].map((col) => `${col * w}_${row * h}`)).join('|');
  const graph = `${chains.join(';')};${CELLS.map((_, i) => `[c${i}]`).join('')}xstack=inputs=9:layout=${layout}[v]`;
  const partial = `${path}.part.webm`;
  const args = ['-v', 'error', '-y', ...CELLS.flatMap((c) => ['-i', join(VIDEOS_DIR, c.clip)]), '-filter_complex', graph, '-map', '[v]', '-an', '-t', String(seconds), '-r', String(fps), '-c:v', 'libvpx', '-b:v', '3M', '-g', String(gop), '-deadline', 'good', '-cpu-used', '4', partial];
  console.log(`making the 9-person grid recording (${3 * w}x${3 * h}, ${seconds} s) with ffmpeg …`);
  execFileSync(FFMPEG, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  await rename(partial, path);
  return path;
}

/** One measured run of one video. */
interface RunResult {
  video: string;
  run: number;
  /** Analysis stepped by seeking only: video seconds per wall-clock second (the page's `data-speed`). */
  analysisSpeed: number;
  /** People the page found (seen for at least 1 s), seeking. */
  people: number;
  /** The page's result line, seeking. */
  message: string;
  /** How the seeking analysis's frames were reached (their spacing: every sample, exactly). */
  seekStepping: SteppingReport;
  /** Analysis stepped by playing through: speed, people, result line, and how its frames were reached. */
  playSpeed: number;
  playPeople: number;
  playMessage: string;
  playStepping: SteppingReport;
  /** Seeking alone: video seconds per wall-clock second. */
  seekSpeed: number;
  /** Frames sought in the seek-only pass. */
  seekFrames: number;
  /** The machine's 1-minute load average when this run began (2 cores: above 2 means others were busy too). */
  loadAverage: number;
}

/**
 * Seeks through `file` at FILE_FPS frames per second of video time in an analyse.html page,
 * as analyseVideo does (set currentTime, wait for `seeked`), with no analysis.
 * @returns video seconds per wall-clock second, the frames sought, and the video's duration (s).
 * @throws Error when the page cannot play the file.
 */
async function seekOnly(eb: ExtensionBrowser, file: string): Promise<{ speed: number; frames: number; duration: number; width: number; height: number }> {
  const page = await eb.context.newPage();
  try {
    await page.goto(`chrome-extension://${eb.extensionId}/analyse.html`);
    // The file reaches the page as it reaches the analysis: a File from a file input, opened
    // from an object URL (not through the page's own input, which would start an analysis).
    await page.evaluate(() => {
      const input = document.createElement('input');
      input.type = 'file';
      input.id = 'bench-file';
      document.body.append(input);
    });
    await page.locator('#bench-file').setInputFiles(file);
    // No named functions inside: tsx (esbuild keepNames) would wrap them in a `__name` helper
    // that the page does not have.
    return await page.evaluate(async (fps) => {
      const picked = (document.getElementById('bench-file') as HTMLInputElement).files?.[0];
      if (!picked) throw new Error('no file in the input');
      const video = document.createElement('video');
      video.muted = true;
      video.preload = 'auto';
      video.src = URL.createObjectURL(picked);
      video.addEventListener('error', () => console.error(`media error ${video.error?.code}`));
      await new Promise<void>((ok, fail) => {
        video.addEventListener('loadeddata', () => ok(), { once: true });
        video.addEventListener('error', () => fail(new Error(`media error ${video.error?.code}`)), { once: true });
      });
      const duration = video.duration;
      let k = 0;
      let t = 0;
      const t0 = performance.now();
      for (; (t = k / fps) < duration; k++) {
        const seeked = new Promise<void>((ok) => video.addEventListener('seeked', () => ok(), { once: true }));
        video.currentTime = t;
        await seeked;
      }
      const wallS = (performance.now() - t0) / 1000;
      URL.revokeObjectURL(video.src);
      // As analyseVideo counts it: the whole duration once every frame is done.
      return { speed: duration / wallS, frames: k, duration, width: video.videoWidth, height: video.videoHeight };
    }, FILE_FPS);
  } finally {
    await page.close();
  }
}

const fmt = (x: number, d = 2): string => x.toFixed(d);
/** `median (min–max)` of `v`. */
const spread = (v: readonly number[], d = 2): string => `${fmt(median(v), d)} (${fmt(Math.min(...v), d)}–${fmt(Math.max(...v), d)})`;

async function main(): Promise<void> {
  const runs = Math.max(1, Number.parseInt(values.runs, 10) || 3);
  const skip = skipReason();
  if (skip) {
    console.log(`skipped: ${skip}`);
    return;
  }
  const videos = [join(VIDEOS_DIR, WOLF), await gridVideo()];
  if (!values['no-build']) await build();
  const load = loadavg()[0]!;
  const eb = await launchWithExtension({ extensionDir: join(ROOT, 'dist/chrome') });
  const results: RunResult[] = [];
  const facts: Record<string, { duration: number; width: number; height: number }> = {};
  let backend = '';
  try {
    for (let run = 1; run <= runs; run++) {
      for (const file of videos) {
        const name = basename(file);
        const loadAverage = loadavg()[0]!;
        const seek = await seekOnly(eb, file);
        facts[name] = { duration: seek.duration, width: seek.width, height: seek.height };
        const done = (page: PageResult): PageResult => {
          if (page.state !== 'done' || !page.stepping) throw new Error(`${name}: ${page.message}`);
          return page;
        };
        const page = done(await analyseInPage(eb, file, null, 600_000, 'seek'));
        const played = done(await analyseInPage(eb, file, null, 600_000, 'play'));
        backend ||= /real time, ([^)]+)\)/.exec(page.message)?.[1] ?? '?';
        const st = played.stepping!;
        results.push({ video: name, run, analysisSpeed: page.speed, people: page.people, message: page.message, seekStepping: page.stepping!, playSpeed: played.speed, playPeople: played.people, playMessage: played.message, playStepping: st, seekSpeed: seek.speed, seekFrames: seek.frames, loadAverage });
        console.log(
          `run ${run} ${name}: playing ${fmt(played.speed)}× real time, ${played.people} people, ${st.played} frames played + ${st.sought} sought, spacing median ${fmt(st.spacing.medianS, 3)} s (${fmt(st.spacing.minS, 3)}–${fmt(st.spacing.maxS, 3)}), ${st.spacing.skipped} skipped, mean lateness ${fmt(st.meanLateS ?? 0, 3)} s${st.fallback ? `, fell back: ${st.fallback}` : ''}; seeking ${fmt(page.speed)}×, ${page.people} people; seeking alone ${fmt(seek.speed)}× (${seek.frames} frames); load average ${fmt(loadAverage, 1)}`,
        );
      }
    }
  } finally {
    await eb.close();
  }

  const summary = videos.map((file) => {
    const name = basename(file);
    const rs = results.filter((r) => r.video === name);
    const analysis = rs.map((r) => r.analysisSpeed);
    const play = rs.map((r) => r.playSpeed);
    const ratio = rs.map((r) => r.playSpeed / r.analysisSpeed);
    const seek = rs.map((r) => r.seekSpeed);
    const range = (v: number[]) => ({ median: median(v), min: Math.min(...v), max: Math.max(...v) });
    // Per run: the share of the analysis's wall time that seeking alone does not account for.
    const analysisShare = rs.map((r) => 1 - r.analysisSpeed / r.seekSpeed);
    return {
      video: name,
      ...facts[name]!,
      runs: rs.length,
      seekFrames: rs[0]?.seekFrames ?? 0,
      people: rs.map((r) => r.people),
      analysisSpeed: range(analysis),
      playSpeed: range(play),
      playPeople: rs.map((r) => r.playPeople),
      playOverSeek: range(ratio),
      playFrames: range(rs.map((r) => r.playStepping.spacing.frames)),
      playSpacingMedianS: range(rs.map((r) => r.playStepping.spacing.medianS)),
      playSpacingMaxS: range(rs.map((r) => r.playStepping.spacing.maxS)),
      playSkipped: range(rs.map((r) => r.playStepping.spacing.skipped)),
      playMeanLateS: range(rs.map((r) => r.playStepping.meanLateS ?? 0)),
      seekSpeed: range(seek),
      analysisShareOfTime: range(analysisShare),
    };
  });

  console.log(`\nmachine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), load average ${fmt(load, 1)} at the start; backend ${backend}; ${FILE_FPS} frames per video second; at most ${FILE_MAX_FACES} faces per frame; medians (min–max) of ${runs} run(s)`);
  console.log('| video | size, length | stepping | analysis, × real time | people | frames analysed | spacing, s: median (max) | skipped samples |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const s of summary) {
    const rs = results.filter((r) => r.video === s.video);
    const size = `${s.width}x${s.height}, ${fmt(s.duration, 1)} s`;
    const row = (stepping: string, speeds: number[], people: number[], spacings: FrameSpacing[]) =>
      `| ${s.video} | ${size} | ${stepping} | ${spread(speeds)} | ${people.join(', ')} | ${spread(spacings.map((x) => x.frames), 0)} | ${fmt(median(spacings.map((x) => x.medianS)), 3)} (max ${fmt(Math.max(...spacings.map((x) => x.maxS)), 3)}) | ${spread(spacings.map((x) => x.skipped), 0)} |`;
    console.log(row('playing', rs.map((r) => r.playSpeed), s.playPeople, rs.map((r) => r.playStepping.spacing)));
    console.log(row('seeking', rs.map((r) => r.analysisSpeed), s.people, rs.map((r) => r.seekStepping.spacing)));
    console.log(`| ${s.video} | ${size} | seeking alone, no analysis | ${spread(rs.map((r) => r.seekSpeed))} | | | | |`);
  }
  for (const s of summary) {
    console.log(`${s.video}: playing through at ${fmt(s.playSpeed.median)}× real time, ${fmt(s.playOverSeek.median)}× (${fmt(s.playOverSeek.min)}–${fmt(s.playOverSeek.max)}) the speed of seeking (${fmt(s.analysisSpeed.median)}×); seeking alone at ${fmt(s.seekSpeed.median)}×; seeking-stepped analysis spends ${fmt(100 * s.analysisShareOfTime.median, 0)} % of its time analysing`);
  }
  console.log(`load average per run: ${results.map((r) => fmt(r.loadAverage, 1)).join(', ')}`);

  const out = join(ROOT, 'bench/results/file-analysis.json');
  await mkdir(join(ROOT, 'bench/results'), { recursive: true });
  await writeFile(
    out,
    `${JSON.stringify({ date: new Date().toISOString(), cores: cpus().length, cpu: cpus()[0]?.model, loadAverageAtStart: load, backend, fileFps: FILE_FPS, runs, config: { ...DEFAULT_CONFIG, detector: { ...DEFAULT_CONFIG.detector, maxFacesPerTile: FILE_MAX_FACES } }, grid: { ...GRID, cells: CELLS }, summary, results }, null, 2)}\n`,
  );
  console.log(`wrote ${out}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
});
