/**
 * npm run bench [-- --tiles 1,4,9,16 --seconds 30 --warmup 8 --backend wasm|webgl|webgpu|auto --no-baseline --name NAME
 *                  --config JSON --sample-every S]
 *
 * --config: CallMood inference-config overrides (e.g. '{"tracking":{"enabled":false}}'), to measure one
 *   way in against another; --sample-every: record the offscreen heap after a forced GC and
 *   numTensors every S seconds (the 10-minute flatness run: --seconds 600 --sample-every 30).
 * Runs the built extension (dist/chrome-bench: the extension plus the baseline's models) in
 * headless Debian Chromium on the demo call page with N tiles playing the real clips, and for
 * each N measures, after a warm-up:
 * - face analyses per second (tile analyses, all tiles together), faces found per second and
 *   updates per second per tile;
 * - per-frame inference time p50/p95 (offscreen document);
 * - frame-to-overlay latency p50/p95: from the frame's capture time (stamped when the
 *   offscreen document grabs it) to the moment the call page's overlay shows that frame's
 *   result (MutationObserver in the page);
 * - the call page's main-thread time spent in the content script per second (CDP sampling
 *   profiler: samples whose stack contains a chrome-extension:// frame) and the page's long
 *   tasks (> 50 ms);
 * - offscreen JS heap and tf.memory().numTensors at the start and end of the window;
 * - the share of tile analyses whose face was tracked (mesh only) rather than detected;
 * - how busy the whole machine's CPU was during the window (/proc/stat, all cores), and the
 *   load average, to tell a quiet run from a disturbed one;
 * - the backend and the machine's core count.
 * The same is measured for the baseline (`analyzer: 'naive-human'`: the tile images through
 * human.detect() with human's default configuration, caches off) on the same page and clips,
 * and the ratio ours / baseline of face analyses per second is printed.
 * Figures are printed and written to bench/results/bench-<name>.json. No pass/fail on time.
 */
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from '../scripts/build.ts';
import { CallSession, listClips, ROOT, VIDEOS_DIR } from '../scripts/lib/call-session.ts';
import { RawCdp } from '../scripts/lib/cdp.ts';
import { sanitizeOverrides, type BackendChoice, type ConfigOverrides } from '../src/inference/config.ts';

const { values } = parseArgs({
  options: {
    tiles: { type: 'string', default: '9' },
    seconds: { type: 'string', default: '30' },
    warmup: { type: 'string', default: '8' },
    backend: { type: 'string', default: 'auto' },
    'no-baseline': { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
    /** Measure each (tiles, pipeline) this many times, interleaved, and report medians. */
    runs: { type: 'string', default: '1' },
    name: { type: 'string' },
    /** Inference config overrides (JSON) for CallMood's pipeline, e.g. '{"tracking":{"enabled":false}}' to measure one way in against another. */
    config: { type: 'string' },
    /** Every S seconds of the measured window, record the offscreen heap (after a GC) and numTensors: for long runs (flatness). 0 = off. */
    'sample-every': { type: 'string', default: '0' },
  },
});

const tilesList = values.tiles.split(',').map(Number);
const seconds = Number(values.seconds);
const warmup = Number(values.warmup);
const sampleEvery = Number(values['sample-every']);
const runs = Math.max(1, Number(values.runs) || 1);
/** CallMood's config overrides (--config), checked like stored developer overrides. */
const overrides: ConfigOverrides = (() => {
  if (!values.config) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(values.config);
  } catch (err) {
    console.error(`--config is not JSON: ${(err as Error).message}`);
    process.exit(2);
  }
  const { overrides: ok, dropped } = sanitizeOverrides(parsed);
  if (dropped.length) {
    console.error(`--config: unknown keys or wrong types: ${dropped.join(', ')}`);
    process.exit(2);
  }
  return ok;
})();
if (tilesList.some((n) => !Number.isInteger(n) || n < 1) || !(seconds > 0) || !(warmup >= 0)) {
  console.error('usage: npm run bench -- --tiles 1,4,9,16 --seconds 30 --warmup 8 [--backend wasm|webgl|webgpu|auto] [--no-baseline]');
  process.exit(2);
}

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));
function quantile(values: number[], q: number): number | null {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

interface Snapshot {
  backend: string | null;
  counters: { frames: number; tileAnalyses: number; faces: number; tracked?: number; inferenceMs: number[]; since: number } | null;
  numTensors: number | null;
  heapUsed: number | null;
}

/**
 * The content script's share of the page's main thread, from a CDP CPU profile: total ms in
 * samples whose stack holds a chrome-extension:// frame, and the longest unbroken run of
 * such samples (ms): a long task (> 50 ms) is attributable to the extension only if such a
 * run is that long.
 */
function extensionTime(profile: { nodes: { id: number; callFrame: { url: string }; children?: number[] }[]; samples: number[]; timeDeltas: number[] }): { totalMs: number; longestRunMs: number } {
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const memo = new Map<number, boolean>();
  const isExtension = (id: number): boolean => {
    if (memo.has(id)) return memo.get(id)!;
    const n = byId.get(id);
    const v = Boolean(n && (n.callFrame.url.startsWith('chrome-extension://') || (parent.has(id) && isExtension(parent.get(id)!))));
    memo.set(id, v);
    return v;
  };
  let us = 0;
  let run = 0;
  let longest = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i + 1] ?? 0;
    if (isExtension(id)) {
      us += dt;
      run += dt;
      longest = Math.max(longest, run);
    } else {
      run = 0;
    }
  });
  return { totalMs: us / 1000, longestRunMs: longest / 1000 };
}

/** Whole-machine CPU jiffies (all cores) from /proc/stat: busy and total; null where unreadable. */
function cpuTimes(): { busy: number; total: number } | null {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0); // idle + iowait
    const total = fields.reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  } catch {
    return null;
  }
}

async function measure(pipeline: 'callmood' | 'naive-human', tiles: number) {
  const session = await CallSession.open({
    headless: true,
    tiles,
    monitorNetwork: false,
    extensionDir: join(ROOT, 'dist/chrome-bench'),
    args: values.backend === 'webgpu' || values.backend === 'auto' ? ['--enable-unsafe-webgpu'] : [],
  });
  const raw = await RawCdp.connect(session.eb.wsEndpoint);
  try {
    const worker = session.eb.context.serviceWorkers().find((w) => w.url().includes(session.eb.extensionId))!;
    const devConfig: ConfigOverrides = { ...(pipeline === 'callmood' ? overrides : {}), analyzer: pipeline, ...(values.backend === 'auto' ? {} : { backend: { choice: values.backend as BackendChoice } }) };
    // Overlays on from the start (the user's stored option), so a busy popup is not needed.
    await worker.evaluate(
      (cfg) => chrome.storage.local.set({ 'callmood.dev-config.v1': cfg, 'callmood.options.v1': { overlays: true, paused: false, onlyMe: false, baseline: false } }),
      devConfig,
    );
    await session.start(120_000);
    await session.page.waitForFunction(() => document.getElementById('callmood-overlay-root')?.shadowRoot !== null, null, { timeout: 20_000 });
    await session.page.evaluate(() => {
      const w = window as unknown as { __latencies: number[]; __longTasks: number[] };
      w.__latencies = [];
      w.__longTasks = [];
      const root = document.getElementById('callmood-overlay-root')!.shadowRoot!;
      new MutationObserver((records) => {
        const now = Date.now();
        for (const r of records) {
          const t = Number((r.target as HTMLElement).dataset.frameTime);
          if (t) w.__latencies.push(now - t);
        }
      }).observe(root, { subtree: true, attributes: true, attributeFilter: ['data-frame-time'] });
      new PerformanceObserver((list) => list.getEntries().forEach((e) => w.__longTasks.push(e.duration))).observe({ type: 'longtask', buffered: false });
    });
    await sleep(warmup * 1000);
    const offscreen = await raw.attachByUrl('/offscreen.html');
    const start = await raw.evaluate<Snapshot>(offscreen, '__callmoodBench.snapshot(true)');
    await session.page.evaluate(() => {
      const w = window as unknown as { __latencies: number[]; __longTasks: number[] };
      w.__latencies.length = 0;
      w.__longTasks.length = 0;
    });
    const pageCdp = await session.eb.context.newCDPSession(session.page);
    await pageCdp.send('Profiler.enable');
    await pageCdp.send('Profiler.setSamplingInterval', { interval: 500 });
    await pageCdp.send('Profiler.start');
    const cpu0 = cpuTimes();
    const t0 = Date.now();
    /** Offscreen heap after a forced GC (bytes, precise) and live tfjs tensors, at `t` s. */
    const memory = async () => {
      await raw.send('HeapProfiler.collectGarbage', {}, offscreen);
      const { usedSize } = await raw.send<{ usedSize: number }>('Runtime.getHeapUsage', {}, offscreen);
      const snap = await raw.evaluate<Snapshot>(offscreen, '__callmoodBench.snapshot(false)');
      return { t: Math.round((Date.now() - t0) / 1000), heapAfterGc: usedSize, numTensors: snap.numTensors };
    };
    const samples: Awaited<ReturnType<typeof memory>>[] = [];
    if (sampleEvery > 0) {
      samples.push(await memory());
      while (Date.now() - t0 < seconds * 1000) {
        await sleep(Math.min(sampleEvery * 1000, seconds * 1000 - (Date.now() - t0)));
        samples.push(await memory());
      }
    } else {
      await sleep(seconds * 1000);
    }
    const { profile } = (await pageCdp.send('Profiler.stop')) as unknown as { profile: Parameters<typeof extensionTime>[0] };
    const window_s = (Date.now() - t0) / 1000;
    const cpu1 = cpuTimes();
    const end = await raw.evaluate<Snapshot>(offscreen, '__callmoodBench.snapshot(false)');
    const page = await session.page.evaluate(() => {
      const w = window as unknown as { __latencies: number[]; __longTasks: number[] };
      return { latencies: [...w.__latencies], longTasks: [...w.__longTasks] };
    });
    const c = end.counters!;
    const extMs = extensionTime(profile);
    return {
      pipeline,
      tiles,
      backend: end.backend,
      seconds: window_s,
      config: pipeline === 'callmood' ? overrides : {},
      faceAnalysesPerSecond: c.tileAnalyses / window_s,
      trackedShare: c.tileAnalyses ? (c.tracked ?? 0) / c.tileAnalyses : 0,
      facesFoundPerSecond: c.faces / window_s,
      updatesPerTilePerSecond: c.tileAnalyses / window_s / tiles,
      framesPerSecond: c.frames / window_s,
      inferenceMs: { p50: quantile(c.inferenceMs, 0.5), p95: quantile(c.inferenceMs, 0.95) },
      frameToOverlayMs: { p50: quantile(page.latencies, 0.5), p95: quantile(page.latencies, 0.95), n: page.latencies.length },
      contentScript: { msPerSecond: extMs.totalMs / window_s, shareOfMainThread: extMs.totalMs / (window_s * 1000), longestRunMs: extMs.longestRunMs },
      machineCpuBusy: cpu0 && cpu1 ? (cpu1.busy - cpu0.busy) / Math.max(1, cpu1.total - cpu0.total) : null,
      pageLongTasks: { count: page.longTasks.length, maxMs: page.longTasks.length ? Math.max(...page.longTasks) : 0 },
      offscreen: { heapStart: start.heapUsed, heapEnd: end.heapUsed, tensorsStart: start.numTensors, tensorsEnd: end.numTensors },
      memorySamples: samples,
    };
  } finally {
    raw.close();
    await session.close();
  }
}

async function main(): Promise<void> {
  if (!listClips().length) {
    console.log(`skipped: no clips in ${VIDEOS_DIR}`);
    return;
  }
  if (!values['no-build']) await build({ bench: true });
  const results: (Awaited<ReturnType<typeof measure>> & { run: number; loadAverage: { start: number; end: number } })[] = [];
  const failures: { pipeline: string; tiles: number; error: string }[] = [];
  const pipelines = values['no-baseline'] ? (['callmood'] as const) : (['callmood', 'naive-human'] as const);
  // Runs are interleaved (ours, baseline, ours, baseline, ...) so a slow spell of a noisy
  // machine hits both; each run's ratio pairs ours with the baseline measured right after it.
  for (const n of tilesList) {
    for (let run = 1; run <= runs; run++) {
      for (const p of pipelines) {
        process.stdout.write(`measuring ${p} with ${n} tile(s) for ${seconds} s (after ${warmup} s warm-up), run ${run}/${runs} … `);
        try {
          const load = loadavg()[0]!;
          const r = { ...(await measure(p, n)), run, loadAverage: { start: load, end: loadavg()[0]! } };
          results.push(r);
          console.log(`${r.faceAnalysesPerSecond.toFixed(1)} face analyses/s (load average ${load.toFixed(1)})`);
        } catch (err) {
          // One failed measurement (e.g. a machine too busy to answer) must not lose the others.
          failures.push({ pipeline: p, tiles: n, error: err instanceof Error ? err.message.split('\n')[0]! : String(err) });
          console.log(`failed: ${failures.at(-1)!.error}`);
        }
      }
    }
  }
  const fmt = (v: number | null, d = 0) => (v === null || Number.isNaN(v) ? '–' : v.toFixed(d));
  /** Median of the non-null values; NaN when there are none. */
  const med = (values: (number | null)[]) => quantile(values.filter((v): v is number => v !== null), 0.5) ?? NaN;
  const summary = tilesList.flatMap((n) =>
    pipelines.flatMap((p) => {
      const rs = results.filter((r) => r.tiles === n && r.pipeline === p);
      if (!rs.length) return [];
      const ratios = rs.flatMap((r) => {
        const base = results.find((b) => b.tiles === n && b.pipeline === 'naive-human' && b.run === r.run);
        return p === 'callmood' && base && base.faceAnalysesPerSecond > 0 ? [r.faceAnalysesPerSecond / base.faceAnalysesPerSecond] : [];
      });
      return [{
        tiles: n,
        pipeline: p,
        runs: rs.length,
        backend: rs[0]!.backend,
        faceAnalysesPerSecond: med(rs.map((r) => r.faceAnalysesPerSecond)),
        updatesPerTilePerSecond: med(rs.map((r) => r.updatesPerTilePerSecond)),
        trackedShare: med(rs.map((r) => r.trackedShare)),
        inferenceMs: { p50: med(rs.map((r) => r.inferenceMs.p50)), p95: med(rs.map((r) => r.inferenceMs.p95)) },
        frameToOverlayMs: { p50: med(rs.map((r) => r.frameToOverlayMs.p50)), p95: med(rs.map((r) => r.frameToOverlayMs.p95)) },
        contentScriptShare: med(rs.map((r) => r.contentScript.shareOfMainThread)),
        contentScriptLongestRunMs: Math.max(...rs.map((r) => r.contentScript.longestRunMs)),
        pageLongTasks: Math.max(...rs.map((r) => r.pageLongTasks.count)),
        tensors: rs.map((r) => `${r.offscreen.tensorsStart}→${r.offscreen.tensorsEnd}`),
        ratioToBaseline: ratios.length ? med(ratios) : null,
        loadAverage: med(rs.map((r) => r.loadAverage.start)),
        machineCpuBusy: med(rs.map((r) => r.machineCpuBusy)),
      }];
    }),
  );
  console.log(`\nmachine: ${cpus().length} cores; backend: ${results[0]?.backend}; medians of ${runs} run(s) each`);
  console.log('| tiles | pipeline | analyses/s | per tile Hz | tracked | inference p50/p95 ms | frame-to-overlay p50/p95 ms | content script share (longest run ms) | page long tasks | tensors start→end | ours/baseline | machine CPU busy | load avg |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of summary) {
    console.log(
      `| ${r.tiles} | ${r.pipeline} | ${fmt(r.faceAnalysesPerSecond, 1)} | ${fmt(r.updatesPerTilePerSecond, 2)} | ${fmt(r.trackedShare * 100)} % | ${fmt(r.inferenceMs.p50)}/${fmt(r.inferenceMs.p95)} | ${fmt(r.frameToOverlayMs.p50)}/${fmt(r.frameToOverlayMs.p95)} | ${(r.contentScriptShare * 100).toFixed(2)} % (${fmt(r.contentScriptLongestRunMs)}) | ${r.pageLongTasks} | ${r.tensors.join(', ')} | ${r.ratioToBaseline === null ? '' : r.ratioToBaseline.toFixed(2)} | ${fmt(r.machineCpuBusy * 100)} % | ${fmt(r.loadAverage, 1)} |`,
    );
  }
  const name = values.name ?? `${values.backend}-${tilesList.join('_')}`;
  const out = join(ROOT, 'bench/results', `bench-${name}.json`);
  await mkdir(join(ROOT, 'bench/results'), { recursive: true });
  await writeFile(out, JSON.stringify({ date: new Date().toISOString(), cores: cpus().length, cpu: cpus()[0]?.model, seconds, warmup, runs, backendRequested: values.backend, config: overrides, summary, results, failures }, null, 2));
  console.log(`wrote ${out}`);
  if (failures.length) {
    console.error(`${failures.length} measurement(s) failed: ${failures.map((f) => `${f.pipeline}@${f.tiles}`).join(', ')}`);
    process.exitCode = 1;
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
