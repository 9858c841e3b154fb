/**
 * Smoke test of `npm run bench`: it runs for a few seconds on one tile, ours and the baseline,
 * and writes a well-formed result. No assertion on speed: that is what the benchmark reports.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { build } from '../../scripts/build.ts';
import { ROOT } from '../../scripts/lib/call-session.ts';
import { noBrowserReason, noVideosReason } from './helpers.ts';

describe('npm run bench (smoke)', { skip: noBrowserReason() || noVideosReason() }, () => {
  before(() => build({ bench: true }));

  test('runs a few seconds on one tile and writes a well-formed result', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--tiles', '1', '--seconds', '3', '--warmup', '3', '--backend', 'wasm', '--no-build', '--name', 'smoke', '--sample-every', '1'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 240_000,
    });
    assert.equal(run.status, 0, run.stderr + run.stdout);
    assert.match(run.stdout, /\| 1 \| callmood \|/);
    const report = JSON.parse(readFileSync(join(ROOT, 'bench/results/bench-smoke.json'), 'utf8'));
    assert.ok(report.cores >= 1);
    const ours = report.results.find((r: any) => r.pipeline === 'callmood');
    const base = report.results.find((r: any) => r.pipeline === 'naive-human');
    for (const r of [ours, base]) {
      assert.ok(r, 'both pipelines measured');
      assert.equal(r.backend, 'wasm');
      assert.ok(r.faceAnalysesPerSecond > 0, `${r.pipeline} analysed something`);
      assert.ok(r.inferenceMs.p50 > 0 && r.inferenceMs.p95 >= r.inferenceMs.p50);
      assert.ok(r.frameToOverlayMs.n > 0, `${r.pipeline} results reached the overlay`);
      assert.ok(typeof r.offscreen.tensorsEnd === 'number' && typeof r.offscreen.heapEnd === 'number');
      assert.ok(r.contentScript.shareOfMainThread >= 0 && r.contentScript.shareOfMainThread < 1);
      assert.ok(r.memorySamples.length >= 2 && r.memorySamples.every((m: any) => m.heapAfterGc > 0 && m.numTensors > 0), 'heap and tensors sampled');
    }
    const row = report.summary.find((r: any) => r.pipeline === 'callmood' && r.tiles === 1);
    assert.ok(row && row.ratioToBaseline > 0, 'the summary pairs ours with the baseline');
  });
});
