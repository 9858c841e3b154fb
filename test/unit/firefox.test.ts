/**
 * The Firefox build's pure parts: the manifest derived from manifest.json, how the content
 * script fits a tile's source into the tile (object-fit, mirrored self view, blank read-backs),
 * and the background's frame scale and "cannot read this tile's pixels" notice.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { firefoxManifest } from '../../scripts/build.ts';
import { frameProblemNotice } from '../../src/background/tile-frames.ts';
import { fitRect, isBlank, isMirrored } from '../../src/content/frame-reader.ts';
import type { TileReport } from '../../src/shared/types.ts';

const root = join(import.meta.dirname, '../..');

test('the Firefox manifest is an event page without Chrome-only permissions, with the gecko settings', () => {
  const base = JSON.parse(readFileSync(join(root, 'manifest.json'), 'utf8'));
  const ff = firefoxManifest(base);
  assert.deepEqual(ff.background, { scripts: ['background.js'], type: 'module' });
  assert.ok(!ff.permissions.includes('offscreen') && !ff.permissions.includes('tabCapture'), ff.permissions.join(','));
  for (const p of ['activeTab', 'scripting', 'storage']) assert.ok(ff.permissions.includes(p), `keeps ${p}`);
  assert.equal(ff.minimum_chrome_version, undefined);
  assert.equal(ff.browser_specific_settings.gecko.id, base.browser_specific_settings.gecko.id);
  assert.deepEqual(ff.host_permissions, base.host_permissions, 'the same host access as Chrome');
  assert.ok(base.background.service_worker && base.permissions.includes('tabCapture'), 'the base manifest is not changed');
  assert.throws(() => firefoxManifest({ ...base, browser_specific_settings: undefined }), /gecko\.id/);
});

test('object-fit: cover overflows the tile, contain letterboxes, fill stretches (centred)', () => {
  // A 640x360 video in a 300x300 tile.
  assert.deepEqual(fitRect('cover', 640, 360, 300, 300), { x: (300 - 533.3333333333334) / 2, y: 0, width: 533.3333333333334, height: 300 });
  assert.deepEqual(fitRect('contain', 640, 360, 300, 300), { x: 0, y: (300 - 168.75) / 2, width: 300, height: 168.75 });
  assert.deepEqual(fitRect('fill', 640, 360, 300, 300), { x: 0, y: 0, width: 300, height: 300 });
  assert.deepEqual(fitRect('none', 640, 360, 300, 300), fitRect('contain', 640, 360, 300, 300));
  assert.deepEqual(fitRect('cover', 0, 0, 300, 200), { x: 0, y: 0, width: 300, height: 200 }, 'a source without size fills the tile');
});

test('a scaleX(-1) self view counts as mirrored; other transforms do not', () => {
  assert.equal(isMirrored('matrix(-1, 0, 0, 1, 0, 0)'), true);
  assert.equal(isMirrored('matrix(-1, 0, 0, 1, 12.5, 0)'), true);
  assert.equal(isMirrored('none'), false);
  assert.equal(isMirrored('matrix(1, 0, 0, 1, 0, 0)'), false);
  assert.equal(isMirrored('matrix(-1, 0, 0, -1, 0, 0)'), false, 'a half turn is not a mirror');
  assert.equal(isMirrored('matrix(0, 1, -1, 0, 0, 0)'), false);
});

test('a fully transparent read-back is blank; opaque black is a picture', () => {
  const pixels = (alpha: number, n = 100 * 60) => ({ width: 100, height: 60, data: new Uint8ClampedArray(n * 4).map((_, i) => (i % 4 === 3 ? alpha : 0)) });
  assert.equal(isBlank(pixels(0)), true);
  assert.equal(isBlank(pixels(255)), false, 'a black camera image is not blank');
  const one = pixels(0);
  one.data[(30 * 100 + 50) * 4 + 3] = 255;
  assert.equal(isBlank(one), false, 'one drawn pixel is enough');
});

const tile = (id: string, name: string, width = 400): TileReport => ({ id, name, rect: { x: 0, y: 0, width, height: 225 }, visible: true, isSelf: false });

test('unreadable tiles are named in one notice; transient problems are not shown', () => {
  const tiles = [tile('a', 'Ada'), tile('b', 'Bo'), tile('c', 'Cy')];
  assert.equal(frameProblemNotice(new Map(), tiles), null);
  assert.equal(frameProblemNotice(new Map([['a', 'not-ready'], ['b', 'gone']]), tiles), null);
  const notice = frameProblemNotice(new Map([['a', 'tainted'], ['c', 'tainted'], ['b', 'blank']]), tiles)!;
  assert.match(notice, /Cannot read this tile's pixels in Firefox: Ada, Cy \(its video comes from another site/);
  assert.match(notice, /Cannot read this tile's pixels in Firefox: Bo \(the page draws it on a canvas/);
  assert.equal(frameProblemNotice(new Map([['gone-id', 'tainted']]), tiles), null, 'only tiles still on the page');
});
