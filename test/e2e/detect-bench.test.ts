/**
 * `npm run bench:detect` end to end on a slice: the detector stage runs in Chromium on WASM
 * for every candidate and writes a report whose counts agree with the tiles it ran. The
 * generated negatives need no data; the photos and clip frames are skipped, saying so, when
 * ../shared/data is absent.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { ROOT } from '../../scripts/lib/call-session.ts';
import { CANDIDATES, LFW_DIR } from '../../bench/lib/detect-figures.ts';
import { ensureBuilt, noBrowserReason, TEST_OUTPUT } from './helpers.ts';

describe('npm run bench:detect', { skip: noBrowserReason() }, () => {
  before(() => ensureBuilt());

  test('4 photos, 4 frames of each clip part and 16 generated negatives: every candidate, consistent counts', () => {
    const out = join(TEST_OUTPUT, 'detect-bench.json');
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'bench/detect.ts', '--no-build', '--limit', '4', '--negatives', '16', '--out', out], { cwd: ROOT, encoding: 'utf8', timeout: 240_000 });
    assert.equal(run.status, 0, run.stderr + run.stdout);
    const report = JSON.parse(readFileSync(out, 'utf8'));
    assert.equal(report.backend, 'wasm');
    assert.equal(report.figures.length, CANDIDATES.length);
    assert.equal(report.tiles.generated, 16);
    const haveLfw = existsSync(join(LFW_DIR, 'labels.csv'));
    if (!haveLfw) assert.match(report.skipped.join('\n'), /lfw-expressions/, 'the absent photos are named');
    assert.equal(report.tiles.lfw, haveLfw ? 4 : 0);
    for (const f of report.figures) {
      assert.equal(f.found.A + f.found.B, f.found.all);
      assert.ok(f.found.all + f.offCentre <= report.tiles.lfw);
      assert.ok(f.cost.medianMs > 0);
    }
    assert.equal(report.figures[0].cost.ratio, 1);
    const shipped = report.figures.find((f: { shipped: boolean }) => f.shipped);
    assert.ok(shipped, 'one candidate is the shipped detector');
    assert.equal(shipped.falseFaces.generated, 0, 'the shipped detector finds no face in the generated negatives');
    assert.match(run.stdout, /Protocol: winner C\d/);
  });
});
