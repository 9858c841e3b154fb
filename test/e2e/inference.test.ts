/**
 * The inference module in a real Chromium page (the harness serves the extension's own
 * inference code, models and WASM): per-tile independence, tensor hygiene, and the WebGPU
 * path against WASM.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { chromePath } from '../../scripts/lib/browser.ts';
import { ROOT, VIDEOS_DIR } from '../../scripts/lib/call-session.ts';
import { serveStatic, type StaticServer } from '../../scripts/lib/serve.ts';
import { EMOTIONS } from '../../src/shared/emotions.ts';
import { ensureBuilt, noBrowserReason, noVideosReason } from './helpers.ts';

const skip = noBrowserReason() || noVideosReason();

const HAPPY = { url: '/videos/single_face.webm', time: 2.2 }; // broad smile
const DISTRESSED = { url: '/videos/WolfgangLanger_Pexels.webm', time: 4 }; // crying, hand at the face
const LAUGHING = { url: '/videos/WolfgangLanger_Pexels.webm', time: 14 };
const NO_FACE = { url: '/videos/no_face.webm', time: 2 };
const HAPPY_LATER = { url: '/videos/single_face.webm', time: 2.4 };
const NO_FACE_LATER = { url: '/videos/no_face.webm', time: 2.6 };
const ALL = [HAPPY, DISTRESSED, LAUGHING, NO_FACE, HAPPY_LATER, NO_FACE_LATER];

type Box = { x: number; y: number; width: number; height: number };
type Analysis = { tiles: { key: string; status: string; tracked: boolean; face: null | { box: Box; probabilities: Record<string, number> } }[] };

/** Intersection over union of two boxes. */
function iou(a: Box, b: Box): number {
  const w = Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x));
  const h = Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));
  return (w * h) / (a.width * a.height + b.width * b.height - w * h);
}

let server: StaticServer;
let browser: Browser;

async function harnessPage(backend: string, overrides: Record<string, unknown> = {}): Promise<{ page: Page; info: { backend: string } }> {
  const page = await browser.newPage();
  await page.goto(`${server.origin}/inference-harness.html`);
  await page.waitForFunction(() => document.body.dataset.ready === '1');
  const info = await page.evaluate(([b, o]) => (window as any).harness.init({ ...o, backend: { choice: b } }), [backend, overrides] as const);
  await page.evaluate((specs) => (window as any).harness.loadFrames(specs), ALL);
  return { page, info };
}

function dominant(p: Record<string, number>): string {
  return EMOTIONS.reduce((a, b) => (p[b]! > p[a]! ? b : a));
}

function maxDiff(a: Record<string, number>, b: Record<string, number>): number {
  return Math.max(...EMOTIONS.map((e) => Math.abs(a[e]! - b[e]!)));
}

describe('inference module in Chromium', { skip }, () => {
  before(async () => {
    await ensureBuilt();
    server = await serveStatic({
      '/harness/': join(ROOT, 'dist/harness'),
      '/ext/': join(ROOT, 'dist/chrome'),
      '/videos/': VIDEOS_DIR,
      '/': join(ROOT, 'test/fixtures'),
    });
    browser = await chromium.launch({ executablePath: chromePath(), args: ['--no-sandbox', '--enable-unsafe-webgpu'] });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('two tiles with different faces never get each other’s result', async () => {
    const { page } = await harnessPage('wasm');
    const analyse = (f: typeof HAPPY): Promise<Analysis> => page.evaluate((s) => (window as any).harness.analyseFrame(s), f);
    const solo = { happy: await analyse(HAPPY), distressed: await analyse(DISTRESSED), none: await analyse(NO_FACE) };
    const happy = solo.happy.tiles[0]!.face!;
    const distressed = solo.distressed.tiles[0]!.face!;
    // The point is isolation, not accuracy: the two faces must give clearly different results.
    assert.notEqual(dominant(happy.probabilities), dominant(distressed.probabilities));
    assert.ok(maxDiff(happy.probabilities, distressed.probabilities) > 0.3, 'the two faces are told apart');
    assert.equal(solo.none.tiles[0]!.face, null);

    // Alternate the tiles through the same analyzer, as the frame loop does: every result
    // must equal that tile's own solo result (human's per-face caches would leak here).
    for (let i = 0; i < 4; i++) {
      for (const [spec, ref] of [[HAPPY, solo.happy], [NO_FACE, solo.none], [DISTRESSED, solo.distressed]] as const) {
        const r = (await analyse(spec)).tiles[0]!.face;
        const expected = ref.tiles[0]!.face;
        if (expected === null) assert.equal(r, null, `${spec.url}@${spec.time} got a face from another tile`);
        else assert.ok(r && maxDiff(r.probabilities, expected.probabilities) < 1e-5, `${spec.url}@${spec.time} changed between calls`);
      }
    }

    // Several tiles in one frame: each tile keeps its own face.
    const grid: Analysis = await page.evaluate((specs) => (window as any).harness.analyseGrid(specs), [HAPPY, DISTRESSED, NO_FACE, LAUGHING]);
    const [g0, g1, g2, g3] = grid.tiles;
    assert.equal(dominant(g0!.face!.probabilities), dominant(happy.probabilities));
    assert.ok(maxDiff(g0!.face!.probabilities, happy.probabilities) < 0.05, 'smiling tile matches its solo result');
    assert.equal(dominant(g1!.face!.probabilities), dominant(distressed.probabilities));
    assert.ok(maxDiff(g1!.face!.probabilities, distressed.probabilities) < 0.05, 'distressed tile matches its solo result');
    assert.equal(g2!.face, null, 'the faceless tile stays faceless next to faces');
    assert.equal(dominant(g3!.face!.probabilities), 'happy', 'the laughing tile');
    await page.close();
  });

  test('a tracked face follows its tile; a faceless tile waits; a frozen tile is skipped', async () => {
    // Long intervals, so that how fast this machine runs cannot change which path a tile takes.
    const { page } = await harnessPage('wasm', { tracking: { redetectMs: 600_000, emptyTileRetryMs: 600_000 }, frozen: { recheckMs: 600_000 } });
    const left = { x: 0, y: 0, width: 640, height: 360 };
    const right = { x: 640, y: 0, width: 640, height: 360 };
    const run = (items: { key: string; spec: typeof HAPPY; rect: Box }[], mode: 'track' | 'independent'): Promise<Analysis> =>
      page.evaluate(([i, m]) => (window as any).harness.analyseLayout(i, 1280, 360, m), [items, mode] as const);
    const first = await run([{ key: 'ann', spec: HAPPY, rect: left }, { key: 'bob', spec: NO_FACE, rect: right }], 'track');
    assert.equal(first.tiles[0]!.tracked, false, 'a new tile is detected');
    assert.ok(first.tiles[0]!.face);
    assert.equal(first.tiles[1]!.face, null);

    // Next frame (0.2 s later in the clip): Ann's face is re-fitted by the mesh, not detected.
    const next = [{ key: 'ann', spec: HAPPY_LATER, rect: left }, { key: 'bob', spec: NO_FACE_LATER, rect: right }];
    const tracked = await run(next, 'track');
    const fresh = await run(next, 'independent');
    const [t0, t1] = tracked.tiles;
    assert.equal(t0!.status, 'analysed');
    assert.equal(t0!.tracked, true);
    assert.ok(iou(t0!.face!.box, fresh.tiles[0]!.face!.box) > 0.8, `tracked box matches a fresh detection (IoU ${iou(t0!.face!.box, fresh.tiles[0]!.face!.box).toFixed(2)})`);
    // The tracked box is a little off the fresh one, so the readings are close, not equal: this
    // frame's face is between expressions (our network alone differs by 0.11 between the two
    // crops), and the cascade may ask its second network for one crop and not the other, so
    // the top two classes can swap places.
    const drift = maxDiff(t0!.face!.probabilities, fresh.tiles[0]!.face!.probabilities);
    assert.ok(drift < 0.2, `tracked and fresh probabilities within 0.2 (max difference ${drift.toFixed(3)}; ${dominant(t0!.face!.probabilities)} vs ${dominant(fresh.tiles[0]!.face!.probabilities)})`);
    assert.equal(t1!.status, 'deferred', 'the faceless tile is retried later, not every frame');

    // The same pixels again: both tiles are unchanged and skipped.
    assert.deepEqual((await run(next, 'track')).tiles.map((t) => t.status), ['unchanged', 'unchanged']);

    // The tiles swap places (a re-layout) with new pixels: each key keeps its own state.
    const swapped = await run([{ key: 'ann', spec: HAPPY, rect: right }, { key: 'bob', spec: NO_FACE, rect: left }], 'track');
    const ann = swapped.tiles[0]!;
    assert.equal(ann.tracked, true, 'the track moved with the tile');
    assert.ok(ann.face && ann.face.box.x >= 640, 'Ann’s face box is in her new place');
    assert.ok(iou(ann.face.box, { ...first.tiles[0]!.face.box, x: first.tiles[0]!.face.box.x + 640 }) > 0.8);
    await page.close();
  });

  for (const [what, overrides] of [
    ['shipped defaults', {}],
    ['face-api/human ensemble with flips', { emotion: { model: 'ensemble', flipAverage: true } }],
    ['face-api alone, lighting correction', { emotion: { model: 'faceapi', flipAverage: false, lighting: 'standardize' } }],
  ] as const) {
    test(`tensors are released after every frame (${what})`, async () => {
      const { page } = await harnessPage('wasm', overrides);
      await page.evaluate((s) => (window as any).harness.analyseGrid(s), ALL); // warm-up
      const baseline: number = await page.evaluate(() => (window as any).harness.numTensors());
      for (let i = 0; i < 5; i++) await page.evaluate((s) => (window as any).harness.analyseGrid(s), ALL);
      assert.equal(await page.evaluate(() => (window as any).harness.numTensors()), baseline);
      // The live path too: tracking, flip alternation and the frozen check.
      for (let i = 0; i < 6; i++) {
        // Tile 0 alternates between two frames (tracked), the others stay the same (unchanged).
        const specs = [i % 2 ? HAPPY_LATER : HAPPY, DISTRESSED, LAUGHING, NO_FACE];
        const layout = specs.map((spec, k) => ({ key: `t${k}`, spec, rect: { x: (k % 2) * 640, y: Math.floor(k / 2) * 360, width: 640, height: 360 } }));
        await page.evaluate((l) => (window as any).harness.analyseLayout(l, 1280, 720, 'track'), layout);
      }
      assert.equal(await page.evaluate(() => (window as any).harness.numTensors()), baseline);
      const grid: Analysis = await page.evaluate((s) => (window as any).harness.analyseGrid(s), ALL);
      for (const t of grid.tiles) {
        if (!t.face) continue;
        const sum = EMOTIONS.reduce((a, e) => a + t.face!.probabilities[e]!, 0);
        assert.ok(Math.abs(sum - 1) < 1e-6, `probabilities sum to ${sum}`);
      }
      await page.close();
    });
  }

  test('WebGPU (software adapter here) gives the same dominant emotion as WASM, probabilities within 0.05', async (t) => {
    const hasAdapter = await (async () => {
      const p = await browser.newPage();
      await p.goto(`${server.origin}/inference-harness.html`);
      const ok = await p.evaluate(async () => Boolean(await (navigator as any).gpu?.requestAdapter()));
      await p.close();
      return ok;
    })();
    if (!hasAdapter) return t.skip('no WebGPU adapter in this Chromium (needs --enable-unsafe-webgpu)');
    const wasm = await harnessPage('wasm');
    const gpu = await harnessPage('webgpu');
    assert.equal(gpu.info.backend, 'webgpu');
    // One warm-up frame per backend: the software WebGPU adapter now and then returned no face
    // on its very first inference (shader pipelines still compiling); a live call runs many frames.
    for (const p of [wasm.page, gpu.page]) await p.evaluate((s) => (window as any).harness.analyseFrame(s), HAPPY);
    for (const spec of [HAPPY, LAUGHING]) {
      const a: Analysis = await wasm.page.evaluate((s) => (window as any).harness.analyseFrame(s), spec);
      const b: Analysis = await gpu.page.evaluate((s) => (window as any).harness.analyseFrame(s), spec);
      assert.ok(a.tiles[0]!.face, `WASM found the face at ${spec.url}@${spec.time}`);
      assert.ok(b.tiles[0]!.face, `WebGPU found the face at ${spec.url}@${spec.time}: ${JSON.stringify(b)}`);
      const pa = a.tiles[0]!.face.probabilities;
      const pb = b.tiles[0]!.face.probabilities;
      assert.equal(dominant(pb), dominant(pa), `${spec.url}@${spec.time}`);
      assert.ok(maxDiff(pa, pb) <= 0.05, `max difference ${maxDiff(pa, pb).toFixed(4)}`);
    }
    await wasm.page.close();
    await gpu.page.close();
  });
});
