/**
 * `npm run eval` end to end on a slice of the real labelled sets: it runs the extension's
 * inference in Chromium and writes a well-formed report whose numbers agree with each other.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { before, describe, test } from 'node:test';
import { ROOT } from '../../scripts/lib/call-session.ts';
import { ensureBuilt, noBrowserReason, TEST_OUTPUT } from './helpers.ts';

const DATA = resolve(ROOT, '../shared/data');
// The live modes play each image through the live pipeline itself (TilePipeline); their
// slices are small, so only the larger ones are held to better than chance.
const sets = [
  { dir: join(DATA, 'fer2013-public'), mode: 'crop', limit: 70, chance: true },
  { dir: join(DATA, 'lfw-expressions'), mode: 'detect', limit: 30, chance: true },
  { dir: join(DATA, 'fer2013-public'), mode: 'crop-live', limit: 12, chance: false },
  { dir: join(DATA, 'lfw-expressions'), mode: 'live', limit: 8, chance: false },
];

describe('npm run eval', { skip: noBrowserReason() }, () => {
  before(() => ensureBuilt());

  for (const set of sets) {
    const why = existsSync(join(set.dir, 'labels.csv')) ? false : `${set.dir} is absent`;
    test(`${set.mode} mode on ${set.limit} images of ${set.dir.split('/').pop()}`, { skip: why }, () => {
      const out = join(TEST_OUTPUT, `eval-${set.mode}.json`);
      const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/eval.ts', '--data', set.dir, '--mode', set.mode, '--limit', String(set.limit), '--no-build', '--out', out], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 180_000,
      });
      assert.equal(run.status, 0, run.stderr + run.stdout);
      assert.match(run.stdout, /accuracy: \d+\.\d %/);
      const report = JSON.parse(readFileSync(out, 'utf8'));
      const m = report.metrics;
      assert.equal(m.n, set.limit);
      assert.equal(m.confusion.flat().reduce((a: number, b: number) => a + b, 0), set.limit);
      const diagonal = m.confusion.reduce((s: number, row: number[], i: number) => s + row[i]!, 0);
      assert.equal(diagonal, m.correct);
      assert.ok(m.accuracyCi95[0] <= m.accuracy && m.accuracy <= m.accuracyCi95[1]);
      if (set.chance) assert.ok(m.accuracy > 1 / 7, `better than chance: ${m.accuracy}`);
      assert.equal(report.configuration.backend, 'wasm');
      assert.ok(report.speed.imagesPerSecond > 0);
      assert.ok(existsSync(out.replace(/\.json$/, '.html')));
    });
  }

  test('a labels.csv with a bad row is rejected with the row named, nothing scored', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/eval.ts', '--data', join(ROOT, 'test/fixtures/bad-labels'), '--no-build'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    assert.notEqual(run.status, 0);
    assert.match(run.stderr, /row 1 .*\.\.\/outside\.png/);
    assert.match(run.stderr, /row 2 .*"grumpy"|grumpy/);
  });
});
