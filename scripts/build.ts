/**
 * Builds the MV3 extension from the same sources for Chrome (dist/chrome) and Firefox
 * (dist/firefox), a test harness (dist/harness), and, from the command line, one zip per
 * browser (dist/callmood-<browser>-<version>.zip, made by web-ext's build command).
 *
 *   npm run build            # production build (no source maps), both browsers, both zips
 *   npm run build -- --watch # development build with linked source maps, rebuilt on change (no zips)
 *   npm run build -- --bench # the benchmark build dist/chrome-bench (see below)
 *
 * The two builds differ only in their background entry and manifest: Chrome runs the
 * inference in an offscreen document fed by tab capture; Firefox, which has neither, runs it
 * in the background event page (src/background/firefox.ts), fed with tile pixels by the
 * content script. `process.env.CALLMOOD_BROWSER` is replaced by 'chrome' or 'firefox'.
 *
 * The extension carries only what users run: the face detector and mesh from the
 * @vladmandic/human npm package, our own emotion model from models/ (training/README.md), and
 * the WASM binaries from @tensorflow/tfjs-backend-wasm; nothing is downloaded. What only
 * measurements use goes to two other builds: dist/harness (the inference stack in a plain
 * page for tests and `npm run eval`, with the emotion models we compare against: human's and
 * face-api's) and dist/chrome-bench (the extension plus the naive baseline and its models,
 * and the benchmark's read-only hooks, for `npm run bench`).
 */
import * as esbuild from 'esbuild';
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const nm = join(root, 'node_modules');

/** Model files (from @vladmandic/human/models) the analyzer loads: face detector and face mesh. */
export const MODEL_FILES = ['blazeface.json', 'blazeface.bin', 'facemesh.json', 'facemesh.bin'];
/** CallMood's own emotion model (committed in models/, made by training/run.sh). */
export const CALLMOOD_MODEL_FILES = ['callmood-emotion.json', 'callmood-emotion.bin'];
/** human's emotion model (from @vladmandic/human/models): compared against in the harness, and part of the naive baseline of the benchmark build. */
export const HUMAN_EMOTION_FILES = ['emotion.json', 'emotion.bin'];
/** face-api's expression model (from @vladmandic/face-api/model): the emotion cascade's second opinion (emotion-models.ts FACEAPI_MODEL). */
export const FACEAPI_MODEL_FILES = ['face_expression_model-weights_manifest.json', 'face_expression_model.bin'];
/**
 * human's other default models, packaged only in the benchmark build (dist/chrome-bench) for
 * the naive baseline of `npm run bench`: never in the extension users load.
 */
export const BASELINE_MODEL_FILES = ['iris', 'faceres', 'movenet-lightning', 'handtrack', 'handlandmark-lite'].flatMap((m) => [`${m}.json`, `${m}.bin`]);
/**
 * The extension's pages: each is `src/<page>/main.tsx`, `<page>.html` and `<page>.css`, built
 * to `<page>.js`, `<page>.html` and `<page>.css` at the root of the extension folder, beside
 * the colours they share (`src/shared/theme.css`).
 */
export const EXTENSION_PAGES = ['popup', 'report', 'meetings', 'analyse', 'mirror'] as const;
/** WASM binaries of the tfjs WASM backend (single-threaded builds only: MV3's CSP blocks the threaded one's blob: workers). */
export const WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm'];

async function copyInto(dir: string, from: string, files: string[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  await Promise.all(files.map((f) => copyFile(join(from, f), join(dir, f))));
}

/** The browsers CallMood is built for. */
export type BrowserTarget = 'chrome' | 'firefox';

/**
 * The Firefox manifest derived from the base (Chrome) manifest.json: the background is an
 * event page (`background.scripts`, no `service_worker`), the Chrome-only permissions
 * (`offscreen`, `tabCapture`) and `minimum_chrome_version` are removed, and the gecko
 * settings (id, `strict_min_version`, data collection: none) are kept. Pure: `base` is not changed.
 * @throws Error when `base` has no `browser_specific_settings.gecko.id`.
 */
export function firefoxManifest(base: Record<string, any>): Record<string, any> {
  const manifest = structuredClone(base);
  if (!manifest.browser_specific_settings?.gecko?.id) throw new Error('manifest.json needs browser_specific_settings.gecko.id for Firefox');
  delete manifest.minimum_chrome_version;
  manifest.background = { scripts: ['background.js'], type: 'module' };
  manifest.permissions = (manifest.permissions as string[]).filter((p) => p !== 'offscreen' && p !== 'tabCapture');
  return manifest;
}

/**
 * Builds every target: dist/chrome (or dist/chrome-bench with the baseline's models when
 * `bench`), dist/firefox (not with `bench`) and dist/harness; `zip` also writes the zips.
 */
export async function build({ watch = false, outRoot = join(root, 'dist'), bench = false, zip = false } = {}): Promise<void> {
  const targets: BrowserTarget[] = bench ? ['chrome'] : ['chrome', 'firefox'];
  await Promise.all(targets.map((target) => buildTarget(target, { watch, outRoot, bench })));
  await buildHarness({ watch, outRoot });
  if (zip) for (const target of targets) await zipTarget(join(outRoot, target), outRoot, target);
}

/** Writes dist/callmood-<target>-<version>.zip from the built folder `dir` (web-ext build). */
async function zipTarget(dir: string, outRoot: string, target: BrowserTarget): Promise<void> {
  // web-ext ships no type declarations: the one call used here, typed by hand.
  const specifier: string = 'web-ext';
  const { default: webExt } = (await import(specifier)) as {
    default: { cmd: { build(params: Record<string, unknown>, options: Record<string, unknown>): Promise<unknown> } };
  };
  const { version } = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
  await webExt.cmd.build(
    { sourceDir: dir, artifactsDir: outRoot, filename: `callmood-${target}-${version}.zip`, overwriteDest: true },
    { showReadyMessage: false, shouldExitProgram: false },
  );
}

function commonOptions(target: BrowserTarget | 'harness', maps: boolean): esbuild.BuildOptions {
  return {
    bundle: true,
    sourcemap: maps ? 'linked' : false,
    // Firefox 140 ESR is the oldest Firefox the manifest accepts (gecko strict_min_version).
    target: target === 'firefox' ? ['firefox140'] : ['chrome116'],
    logLevel: 'warning',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    define: { 'process.env.NODE_ENV': '"production"', 'process.env.CALLMOOD_BROWSER': JSON.stringify(target === 'firefox' ? 'firefox' : 'chrome') },
    legalComments: 'none',
    minify: true,
    // human's package exports map names its no-bundle build without './', so Node-style
    // resolution cannot reach it: point the bare import at the file. That build imports
    // tfjs from our own @tensorflow/* packages, so there is exactly one tfjs in the bundle.
    alias: {
      '@vladmandic/human': join(nm, '@vladmandic/human/dist/human.esm-nobundle.js'),
      // face-api's no-bundle build likewise imports our @tensorflow/tfjs.
      '@vladmandic/face-api': join(nm, '@vladmandic/face-api/dist/face-api.esm-nobundle.js'),
    },
    absWorkingDir: root,
  };
}

async function runBuilds(builds: esbuild.BuildOptions[], watch: boolean): Promise<void> {
  if (watch) {
    for (const b of builds) await (await esbuild.context(b)).watch();
  } else {
    await Promise.all(builds.map((b) => esbuild.build(b)));
  }
}

/** The test harness (dist/harness): the inference stack in a plain page, with the models compared against, for eval and e2e. */
async function buildHarness({ watch, outRoot }: { watch: boolean; outRoot: string }): Promise<void> {
  const out = join(outRoot, 'harness');
  await runBuilds([{ ...commonOptions('harness', true), entryPoints: { 'inference-harness': 'test/fixtures/inference-harness.ts' }, format: 'esm', outdir: out }], watch);
  await copyInto(join(out, 'models'), join(nm, '@vladmandic/human/models'), HUMAN_EMOTION_FILES);
}

/** Builds one browser's extension folder. */
async function buildTarget(target: BrowserTarget, { watch, outRoot, bench }: { watch: boolean; outRoot: string; bench: boolean }): Promise<void> {
  const out = join(outRoot, bench ? 'chrome-bench' : target);
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });

  // Source maps only in the development (watch) build: the zips carry only what users run.
  const common = commonOptions(target, watch);
  const entries: esbuild.BuildOptions[] = [
    { ...common, entryPoints: { content: 'src/content/main.ts' }, format: 'iife', outdir: out },
    { ...common, entryPoints: { background: target === 'firefox' ? 'src/background/firefox.ts' : 'src/background/main.ts' }, format: 'esm', outdir: out },
    // The extension pages; CSS imported by their scripts (uPlot's) is bundled in as text.
    ...EXTENSION_PAGES.map((page): esbuild.BuildOptions => ({ ...common, entryPoints: { [page]: `src/${page}/main.tsx` }, format: 'esm', outdir: out, loader: { '.css': 'text' } })),
  ];
  if (target === 'chrome') entries.push({ ...common, entryPoints: { offscreen: bench ? 'bench/offscreen-bench.ts' : 'src/offscreen/main.ts' }, format: 'esm', outdir: out });
  await runBuilds(entries, watch);

  const base = JSON.parse(await readFile(join(root, 'manifest.json'), 'utf8'));
  const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));
  base.version = pkg.version;
  // Chrome gets the base manifest as it is (it ignores `background.scripts` and the gecko settings).
  const manifest = target === 'firefox' ? firefoxManifest(base) : base;
  await writeFile(join(out, 'manifest.json'), JSON.stringify(manifest, null, 2));
  if (target === 'chrome') await copyInto(out, join(root, 'src/offscreen'), ['offscreen.html']);
  for (const page of EXTENSION_PAGES) await copyInto(out, join(root, 'src', page), [`${page}.html`, `${page}.css`]);
  await copyInto(out, join(root, 'src/shared'), ['theme.css', 'participant.css']);
  await copyInto(join(out, 'icons'), join(root, 'icons'), ['icon-16.png', 'icon-48.png', 'icon-128.png']);
  await copyInto(join(out, 'models'), join(nm, '@vladmandic/human/models'), MODEL_FILES);
  await copyInto(join(out, 'models'), join(root, 'models'), CALLMOOD_MODEL_FILES);
  await copyInto(join(out, 'models'), join(nm, '@vladmandic/face-api/model'), FACEAPI_MODEL_FILES);
  if (bench) await copyInto(join(out, 'models'), join(nm, '@vladmandic/human/models'), [...BASELINE_MODEL_FILES, ...HUMAN_EMOTION_FILES]);
  await copyInto(join(out, 'wasm'), join(nm, '@tensorflow/tfjs-backend-wasm/dist'), WASM_FILES);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const watch = process.argv.includes('--watch');
  const bench = process.argv.includes('--bench');
  const t0 = Date.now();
  build({ watch, bench, zip: !watch && !bench }).then(
    () =>
      console.log(
        `built ${bench ? 'dist/chrome-bench' : `dist/chrome, dist/firefox${watch ? '' : ', their zips'}`} and dist/harness in ${Date.now() - t0} ms${watch ? ' (watching)' : ''}`,
      ),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
