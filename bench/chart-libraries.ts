/**
 * npm run bench:charts [-- --runs 3]
 *
 * The chart libraries the report could use, compared on what matters to an extension page:
 * - bundle size: the library as its page uses it, bundled and minified by esbuild, raw and gzip;
 * - MV3 compatibility: whether the bundle contains `new Function` or `eval(` (the extension
 *   pages' CSP, `script-src 'self' 'wasm-unsafe-eval'`, refuses both at run time, and web-ext
 *   lint flags them), and whether drawing works under that CSP (each page carries it as a
 *   meta tag);
 * - speed on a long meeting: drawing 10 stacked-area charts of the 7 emotions (9 participants
 *   and the whole meeting) at 1,200 points each (a 3-hour meeting as the report bins it) and at
 *   10,800 points (the same meeting unbinned), median of `--runs` fresh pages after a warm-up,
 *   in headless Debian Chromium.
 * uPlot draws with the report's own options (src/report/stacked-chart.tsx); Chart.js and
 * Observable Plot draw the same data as stacked areas with their own defaults turned to
 * speed (no animation, no points). Prints a table and writes bench/results/chart-libraries.json.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { parseArgs } from 'node:util';
import { assertChromium } from '../scripts/lib/browser.ts';
import { ROOT } from '../scripts/lib/call-session.ts';
import { serveStatic } from '../scripts/lib/serve.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
const runs = Math.max(1, Number(values.runs));
const LIBRARIES = [
  { name: 'uPlot', entry: 'uplot.ts', pkg: 'uplot' },
  { name: 'Chart.js', entry: 'chartjs.ts', pkg: 'chart.js' },
  { name: 'Observable Plot', entry: 'plot.ts', pkg: '@observablehq/plot' },
];
const SIZES = [1200, 10_800];
const CHARTS = 10;
/** The extension pages' CSP (manifest.json), as a meta tag. */
const CSP = `<meta http-equiv="Content-Security-Policy" content="script-src 'self' 'wasm-unsafe-eval'; object-src 'self'">`;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'callmood-charts-'));
  const server = await serveStatic({ '/': dir });
  const browser = await chromium.launch({ executablePath: assertChromium(), headless: true, args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update'] });
  const results = [];
  try {
    for (const lib of LIBRARIES) {
      const out = await build({ entryPoints: [join(ROOT, 'bench/charts', lib.entry)], bundle: true, minify: true, format: 'esm', write: false, logLevel: 'silent', jsx: 'automatic', jsxImportSource: 'preact', loader: { '.css': 'text' } });
      const code = out.outputFiles[0]!.text;
      const file = lib.entry.replace('.ts', '.js');
      await writeFile(join(dir, file), code);
      await writeFile(join(dir, `${lib.entry.replace('.ts', '')}.html`), `<!doctype html><html><head><meta charset="utf-8">${CSP}<script type="module" src="${file}"></script></head><body></body></html>`);
      const version = (JSON.parse(await readFile(join(ROOT, 'node_modules', lib.pkg, 'package.json'), 'utf8')) as { version: string }).version;
      const evals = (code.match(/new Function|\beval\(/g) ?? []).length;
      const timing: Record<string, { medianMs: number; runsMs: number[]; error: string | null }> = {};
      for (const points of SIZES) {
        const times: number[] = [];
        let error: string | null = null;
        for (let r = 0; r <= runs && !error; r++) {
          const page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
          const errors: string[] = [];
          page.on('pageerror', (e) => errors.push(e.message));
          await page.goto(`${server.origin}/${lib.entry.replace('.ts', '')}.html`);
          await page.waitForFunction(() => 'drawCharts' in globalThis, null, { timeout: 20_000 });
          try {
            const ms = await page.evaluate(([p, c]) => (globalThis as unknown as { drawCharts(p: number, c: number): Promise<number> }).drawCharts(p!, c!), [points, CHARTS]);
            if (r > 0) times.push(ms); // run 0 warms the page's code up
          } catch (err) {
            error = String(err);
          }
          if (errors.length) error = errors.join('; ');
          await page.close();
        }
        timing[points] = { medianMs: times.length ? Math.round(median(times)) : NaN, runsMs: times.map(Math.round), error };
      }
      results.push({ library: lib.name, version, bundleBytes: code.length, gzipBytes: gzipSync(code).length, evalSites: evals, timing });
    }
  } finally {
    await browser.close();
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
  console.log(`| library | min. bundle | gzip | eval / new Function | ${SIZES.map((s) => `${CHARTS} charts × ${s} points`).join(' | ')} |`);
  for (const r of results) {
    const cells = SIZES.map((s) => (r.timing[s]!.error ? `error: ${r.timing[s]!.error}` : `${r.timing[s]!.medianMs} ms`));
    console.log(`| ${r.library} ${r.version} | ${(r.bundleBytes / 1000).toFixed(0)} kB | ${(r.gzipBytes / 1000).toFixed(0)} kB | ${r.evalSites} | ${cells.join(' | ')} |`);
  }
  await mkdir(join(ROOT, 'bench/results'), { recursive: true });
  await writeFile(join(ROOT, 'bench/results/chart-libraries.json'), `${JSON.stringify({ date: new Date().toISOString(), cores: cpus().length, loadavg: loadavg(), runs, charts: CHARTS, results }, null, 2)}\n`);
  console.log(`load average ${loadavg()[0]!.toFixed(2)}; wrote bench/results/chart-libraries.json`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
