/**
 * Builds the Chrome MV3 extension into dist/chrome (and a test harness into dist/harness).
 *
 *   npm run build            # production build with linked sourcemaps
 *   npm run build -- --watch # rebuild on change
 *
 * Model files come from the @vladmandic/human npm package, the WASM binaries from
 * @tensorflow/tfjs-backend-wasm; nothing is downloaded.
 */
import * as esbuild from 'esbuild';
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const nm = join(root, 'node_modules');

/** Model files (from @vladmandic/human/models) the offscreen pipeline loads. */
export const MODEL_FILES = ['blazeface.json', 'blazeface.bin', 'facemesh.json', 'facemesh.bin', 'emotion.json', 'emotion.bin'];
/** face-api's expression model (from @vladmandic/face-api/model), for the 'faceapi' and 'ensemble' emotion models. */
export const FACEAPI_MODEL_FILES = ['face_expression_model-weights_manifest.json', 'face_expression_model.bin'];
/**
 * human's other default models, packaged only in the benchmark build (dist/chrome-bench) for
 * the naive baseline of `npm run bench`: never in the extension users load.
 */
export const BASELINE_MODEL_FILES = ['iris', 'faceres', 'movenet-lightning', 'handtrack', 'handlandmark-lite'].flatMap((m) => [`${m}.json`, `${m}.bin`]);
/** WASM binaries of the tfjs WASM backend (single-threaded builds only: MV3's CSP blocks the threaded one's blob: workers). */
export const WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm'];

async function copyInto(dir: string, from: string, files: string[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  await Promise.all(files.map((f) => copyFile(join(from, f), join(dir, f))));
}

/** Builds dist/chrome (or dist/chrome-bench with the baseline's models when `bench`) and dist/harness. */
export async function build({ watch = false, outRoot = join(root, 'dist'), bench = false } = {}): Promise<void> {
  const out = join(outRoot, bench ? 'chrome-bench' : 'chrome');
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });

  const common: esbuild.BuildOptions = {
    bundle: true,
    sourcemap: 'linked',
    target: ['chrome116'],
    logLevel: 'warning',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    define: { 'process.env.NODE_ENV': '"production"' },
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
  };
  const entries: esbuild.BuildOptions[] = [
    { ...common, entryPoints: { content: 'src/content/main.ts' }, format: 'iife', outdir: out },
    { ...common, entryPoints: { background: 'src/background/main.ts' }, format: 'esm', outdir: out },
    { ...common, entryPoints: { offscreen: 'src/offscreen/main.ts' }, format: 'esm', outdir: out },
    { ...common, entryPoints: { popup: 'src/popup/main.tsx' }, format: 'esm', outdir: out },
    {
      ...common,
      entryPoints: { 'inference-harness': 'test/fixtures/inference-harness.ts' },
      format: 'esm',
      outdir: join(outRoot, 'harness'),
    },
  ];
  const builds = entries.map((b) => ({ ...b, absWorkingDir: root }));

  if (watch) {
    for (const b of builds) await (await esbuild.context(b)).watch();
  } else {
    await Promise.all(builds.map((b) => esbuild.build(b)));
  }

  const manifest = JSON.parse(await readFile(join(root, 'manifest.json'), 'utf8'));
  const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));
  manifest.version = pkg.version;
  await writeFile(join(out, 'manifest.json'), JSON.stringify(manifest, null, 2));
  await copyInto(out, join(root, 'src/offscreen'), ['offscreen.html']);
  await copyInto(out, join(root, 'src/popup'), ['popup.html', 'popup.css']);
  await copyInto(join(out, 'icons'), join(root, 'icons'), ['icon-16.png', 'icon-48.png', 'icon-128.png']);
  await copyInto(join(out, 'models'), join(nm, '@vladmandic/human/models'), MODEL_FILES);
  await copyInto(join(out, 'models'), join(nm, '@vladmandic/face-api/model'), FACEAPI_MODEL_FILES);
  if (bench) await copyInto(join(out, 'models'), join(nm, '@vladmandic/human/models'), BASELINE_MODEL_FILES);
  await copyInto(join(out, 'wasm'), join(nm, '@tensorflow/tfjs-backend-wasm/dist'), WASM_FILES);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const watch = process.argv.includes('--watch');
  const bench = process.argv.includes('--bench');
  const t0 = Date.now();
  build({ watch, bench }).then(
    () => console.log(`built dist/${bench ? 'chrome-bench' : 'chrome'} and dist/harness in ${Date.now() - t0} ms${watch ? ' (watching)' : ''}`),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
