/**
 * Our own emotion model (`emotion.model: 'callmood'`, models/callmood-emotion.json) in a real
 * Chromium page through the extension's inference module: the browser's probabilities equal
 * PyTorch's on the fixed inputs of test/fixtures/emotion-model-parity.json (written by
 * training/export_tfjs.py: seeded synthetic gray images, no FER data), within 1e-3. This checks
 * the exporter (layouts, BatchNorm folding, padding, pooling) and that the run-time
 * preprocessing (crop, resize, gray weights, scaling) is the one the model was trained with.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { deflateSync } from 'node:zlib';
import { chromium, type Browser } from 'playwright-core';
import { chromePath } from '../../scripts/lib/browser.ts';
import { ROOT } from '../../scripts/lib/call-session.ts';
import { serveStatic, type StaticServer } from '../../scripts/lib/serve.ts';
import { EMOTIONS } from '../../src/shared/emotions.ts';
import { ensureBuilt, noBrowserReason } from './helpers.ts';

interface ParityFixture {
  size: number;
  classes: string[];
  /** Gray images, row-major, size * size values in 0..255 each. */
  images: number[][];
  /** PyTorch's probabilities per image, in `classes` order. */
  probabilities: number[][];
}

const fixture: ParityFixture = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/emotion-model-parity.json'), 'utf8'));

/** CRC-32 (IEEE) of `bytes`, as PNG chunks need. */
function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

/** A lossless 8-bit gray PNG (no gamma or colour profile, so the browser decodes R = G = B = value) as a data URL. */
function grayPngDataUrl(pixels: number[], size: number): string {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), body.length + 4);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 0, 0, 0, 0], 8); // bit depth 8, colour type 0 (gray), deflate, no filter, no interlace
  const raw = Buffer.alloc(size * (size + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size + 1)] = 0; // filter: none
    for (let x = 0; x < size; x++) raw[y * (size + 1) + 1 + x] = pixels[y * size + x]!;
  }
  const png = Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
  return `data:image/png;base64,${png.toString('base64')}`;
}

let server: StaticServer;
let browser: Browser;

describe("our emotion model ('callmood') in Chromium", { skip: noBrowserReason() }, () => {
  before(async () => {
    await ensureBuilt();
    server = await serveStatic({
      '/harness/': join(ROOT, 'dist/harness'),
      '/ext/': join(ROOT, 'dist/chrome'),
      '/': join(ROOT, 'test/fixtures'),
    });
    browser = await chromium.launch({ executablePath: chromePath(), args: ['--no-sandbox'] });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('the browser (WASM) gives PyTorch’s probabilities on the fixture inputs, max abs difference < 1e-3; no tensor leaks', async (t) => {
    assert.deepEqual(fixture.classes, [...EMOTIONS], 'fixture classes are in FER order');
    const page = await browser.newPage();
    await page.goto(`${server.origin}/inference-harness.html`);
    await page.waitForFunction(() => document.body.dataset.ready === '1');
    // No flip averaging, no cascade and T = 1: the model's own softmax, as PyTorch computed it.
    const info = await page.evaluate((o) => (window as any).harness.init(o), { backend: { choice: 'wasm' }, emotion: { model: 'callmood', flipAverage: false, temperature: 1, lighting: 'none', cascadeModel: '' } });
    assert.equal(info.backend, 'wasm');
    const urls = fixture.images.map((px) => grayPngDataUrl(px, fixture.size));
    const { results } = await page.evaluate(([u]) => (window as any).harness.evaluateBatch(u, 'crop'), [urls] as const);
    let worst = 0;
    results.forEach((r: { probabilities: Record<string, number> | null; error?: string }, i: number) => {
      assert.ok(r.probabilities, `image ${i}: ${r.error ?? 'no probabilities'}`);
      EMOTIONS.forEach((e, k) => (worst = Math.max(worst, Math.abs(r.probabilities![e]! - fixture.probabilities[i]![k]!))));
    });
    t.diagnostic(`max abs difference ${worst.toExponential(2)} over ${results.length} images x 7 classes`);
    assert.ok(worst < 1e-3, `max abs difference ${worst.toExponential(2)}`);
    // The fixture is not degenerate: its images get different dominant classes or clearly different probabilities.
    const spread = Math.max(...EMOTIONS.map((_, k) => Math.max(...fixture.probabilities.map((p) => p[k]!)) - Math.min(...fixture.probabilities.map((p) => p[k]!))));
    assert.ok(spread > 0.05, `fixture probabilities differ between images (spread ${spread.toFixed(3)})`);
    // Tensor hygiene with flip averaging on (the shipped way of running a model): no tensor left behind.
    await page.evaluate((o) => (window as any).harness.init(o), { backend: { choice: 'wasm' }, emotion: { model: 'callmood', flipAverage: true } });
    await page.evaluate(([u]) => (window as any).harness.evaluateBatch(u, 'crop'), [urls] as const);
    const baseline: number = await page.evaluate(() => (window as any).harness.numTensors());
    for (let i = 0; i < 3; i++) await page.evaluate(([u]) => (window as any).harness.evaluateBatch(u, 'crop'), [urls] as const);
    assert.equal(await page.evaluate(() => (window as any).harness.numTensors()), baseline);
    // And with the cascade asking face-api's net for every face (its second batch and readback).
    await page.evaluate((o) => (window as any).harness.init(o), { backend: { choice: 'wasm' }, emotion: { model: 'callmood', cascadeModel: 'faceapi', cascadeBelow: 1.01 } });
    await page.evaluate(([u]) => (window as any).harness.evaluateBatch(u, 'crop'), [urls] as const);
    const cascadeBaseline: number = await page.evaluate(() => (window as any).harness.numTensors());
    for (let i = 0; i < 3; i++) await page.evaluate(([u]) => (window as any).harness.evaluateBatch(u, 'crop'), [urls] as const);
    assert.equal(await page.evaluate(() => (window as any).harness.numTensors()), cascadeBaseline, 'the cascade leaves no tensor behind');
    await page.close();
  });

  test('emotionAntialias: a face enlarged 2x or 4x (each pixel a k x k block) gives the 48-px image’s probabilities back; plain bilinear does not', async (t) => {
    const page = await browser.newPage();
    await page.goto(`${server.origin}/inference-harness.html`);
    await page.waitForFunction(() => document.body.dataset.ready === '1');
    const factors = fixture.images.map((_, i) => (i % 2 === 0 ? 4 : 2));
    const urls = fixture.images.map((px, i) => grayPngDataUrl(upscale(px, fixture.size, factors[i]!), fixture.size * factors[i]!));
    const worstDifference = async (antialias: boolean): Promise<number> => {
      await page.evaluate((o) => (window as any).harness.init(o), { backend: { choice: 'wasm' }, emotion: { model: 'callmood', flipAverage: false, temperature: 1, lighting: 'none', antialias, cascadeModel: '' } });
      const { results } = await page.evaluate(([u]) => (window as any).harness.evaluateBatch(u, 'crop'), [urls] as const);
      let worst = 0;
      results.forEach((r: { probabilities: Record<string, number> | null; error?: string }, i: number) => {
        assert.ok(r.probabilities, `image ${i}: ${r.error ?? 'no probabilities'}`);
        EMOTIONS.forEach((e, k) => (worst = Math.max(worst, Math.abs(r.probabilities![e]! - fixture.probabilities[i]![k]!))));
      });
      return worst;
    };
    const plain = await worstDifference(false);
    const antialiased = await worstDifference(true);
    t.diagnostic(`max abs difference to the 48-px probabilities: antialiased ${antialiased.toExponential(2)}, plain bilinear ${plain.toExponential(2)}`);
    assert.ok(antialiased < 1e-3, `antialiased: ${antialiased.toExponential(2)}`);
    assert.ok(plain > antialiased, 'plain bilinear resampling of the enlarged images differs more');
    const baseline: number = await page.evaluate(() => (window as any).harness.numTensors());
    await page.evaluate(([u]) => (window as any).harness.evaluateBatch(u, 'crop'), [urls] as const);
    assert.equal(await page.evaluate(() => (window as any).harness.numTensors()), baseline, 'no tensor leaks');
    await page.close();
  });
});

/** `pixels` (size x size, row-major) enlarged k times by pixel replication (nearest neighbour). */
function upscale(pixels: number[], size: number, k: number): number[] {
  const out: number[] = [];
  for (let y = 0; y < size * k; y++) for (let x = 0; x < size * k; x++) out.push(pixels[Math.floor(y / k) * size + Math.floor(x / k)]!);
  return out;
}
