/**
 * npm run bench:mirror [-- --seconds S] [--runs N] [--no-build]
 *
 * How many camera pictures a second does the mirror (mirror.html, src/mirror/) analyse? In
 * headless Debian Chromium with the built extension, Chromium's fake camera plays the
 * WolfgangLanger clip (640x360, converted to Y4M with ffmpeg under os.tmpdir()/callmood-bench/,
 * never in the repository) at 15 and at 30 frames per second, one browser per rate and run
 * (N, default 2). Once a face is shown, the page's figures are read every second for S seconds
 * (default 20): new pictures analysed per second (`body[data-fps]`), the median inference time
 * of a frame (`data-inference-ms`) and whether a face is drawn. The camera's own rate is the
 * ceiling beside which the analysed rate is read: "analyses X of the camera's Y frames/s".
 * Prints medians (min-max) and writes bench/results/mirror.json. Prints figures only; never
 * passes or fails on them. Skips, saying why, without the clips or ffmpeg.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from '../scripts/build.ts';
import { launchWithExtension } from '../scripts/lib/browser.ts';
import { ROOT, VIDEOS_DIR, listClips } from '../scripts/lib/call-session.ts';
import { fakeCameraArgs, fakeCameraFile, noFfmpegReason } from '../scripts/lib/fake-camera.ts';
import { median } from '../src/shared/stats.ts';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '20' }, runs: { type: 'string', default: '2' }, 'no-build': { type: 'boolean', default: false } } });
const SECONDS = Number(values.seconds);
const RUNS = Number(values.runs);
const CAMERA_FPS = [15, 30] as const;

/** What one run read from the page. */
interface RunFigures {
  cameraFps: number;
  backend: string;
  /** Pictures analysed per second, one reading a second. */
  analysedFps: number[];
  /** Median inference time of a frame, ms, one reading a second. */
  inferenceMs: number[];
  /** Share of the readings with a face drawn, [0, 1]. */
  faceShare: number;
}

async function run(cameraFile: string, cameraFps: number): Promise<RunFigures> {
  const eb = await launchWithExtension({ extensionDir: join(ROOT, 'dist/chrome'), args: fakeCameraArgs(cameraFile) });
  try {
    const page = await eb.context.newPage();
    await page.setViewportSize({ width: 1200, height: 720 });
    await page.goto(`chrome-extension://${eb.extensionId}/mirror.html`);
    await page.waitForFunction(() => document.body.dataset.face === 'true', null, { timeout: 120_000 });
    await page.waitForTimeout(3_000); // the frame-rate window fills
    const out: RunFigures = { cameraFps, backend: '', analysedFps: [], inferenceMs: [], faceShare: 0 };
    let faces = 0;
    for (let s = 0; s < SECONDS; s++) {
      await page.waitForTimeout(1_000);
      const d = await page.evaluate(() => ({ ...document.body.dataset }));
      out.backend = d.backend ?? '';
      out.analysedFps.push(Number(d.fps));
      out.inferenceMs.push(Number(d.inferenceMs));
      if (d.face === 'true') faces++;
    }
    out.faceShare = faces / SECONDS;
    return out;
  } finally {
    await eb.close();
  }
}

const range = (xs: number[], digits = 1) => `${median(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}-${Math.max(...xs).toFixed(digits)})`;

async function main(): Promise<void> {
  const skip = (listClips().length ? false : `no clips in ${VIDEOS_DIR}`) || noFfmpegReason();
  if (skip) {
    console.log(`bench:mirror skipped: ${skip}`);
    return;
  }
  if (!values['no-build']) await build();
  const dir = join(tmpdir(), 'callmood-bench');
  const files = new Map<number, string>();
  for (const fps of CAMERA_FPS) files.set(fps, await fakeCameraFile(join(VIDEOS_DIR, 'WolfgangLanger_Pexels.webm'), dir, 640, fps));
  const runs: RunFigures[] = [];
  // Interleaved, so a busy spell of the machine hits both rates alike.
  for (let r = 0; r < RUNS; r++) {
    for (const fps of CAMERA_FPS) {
      const figures = await run(files.get(fps)!, fps);
      console.log(`run ${r + 1}, camera ${fps} fps: analysed ${range(figures.analysedFps)} frames/s, inference ${range(figures.inferenceMs)} ms, face in ${(figures.faceShare * 100).toFixed(0)} % of readings`);
      runs.push(figures);
    }
  }
  const rows = CAMERA_FPS.map((fps) => {
    const mine = runs.filter((r) => r.cameraFps === fps);
    const analysed = mine.flatMap((r) => r.analysedFps);
    const inference = mine.flatMap((r) => r.inferenceMs);
    return { cameraFps: fps, analysedFpsMedian: median(analysed), analysedFpsMin: Math.min(...analysed), analysedFpsMax: Math.max(...analysed), inferenceMsMedian: median(inference), shareOfCameraFrames: median(analysed) / fps, faceShare: median(mine.map((r) => r.faceShare)) };
  });
  console.log('\ncamera fps | analysed frames/s, median (min-max) | share of camera frames | inference ms, median');
  for (const r of rows) console.log(`${String(r.cameraFps).padStart(10)} | ${`${r.analysedFpsMedian.toFixed(1)} (${r.analysedFpsMin.toFixed(1)}-${r.analysedFpsMax.toFixed(1)})`.padEnd(35)} | ${(r.shareOfCameraFrames * 100).toFixed(0).padStart(21)} % | ${r.inferenceMsMedian.toFixed(1)}`);
  const result = { bench: 'mirror', date: new Date().toISOString(), machine: { cpus: cpus().length, loadavg: loadavg() }, backend: runs[0]?.backend ?? '', secondsPerRun: SECONDS, runsPerRate: RUNS, rows, runs };
  await mkdir(join(ROOT, 'bench/results'), { recursive: true });
  await writeFile(join(ROOT, 'bench/results/mirror.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log('\nwrote bench/results/mirror.json');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
