/**
 * The frozen-tile check's pure parts (inference/frozen-tiles.ts): a black tile is black even
 * with a name drawn over it, a dark face is not; a picture that repeats exactly counts as still
 * for as long as it repeats, while one that only changes a little (under the skip threshold,
 * camera noise) does not.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FrozenTiles, isBlack, THUMB_SIDE } from '../../src/inference/frozen-tiles.ts';

const N = THUMB_SIDE * THUMB_SIDE;
const flat = (v: number) => Array.from({ length: N }, () => v);

test('black: a black tile, with a white name plate on its last rows; not a dark face filling a fifth of the tile', () => {
  assert.equal(isBlack(flat(3)), true);
  const named = flat(2).map((v, j) => (j >= N - 16 ? 250 : v)); // one row of white text
  assert.equal(isBlack(named), true, 'a name over a covered camera');
  const face = flat(8).map((v, j) => (j % 16 >= 5 && j % 16 < 11 && j >= 80 && j < 200 ? 70 : v)); // a lit face in a dark room
  assert.equal(isBlack(face), false);
  assert.equal(isBlack(flat(60)), false, 'a grey tile');
});

test('still for: counted while the picture repeats exactly; noise under the skip threshold restarts it', () => {
  const frozen = new FrozenTiles({ threshold: 0.5, recheckMs: 3000 });
  const picture = flat(100);
  assert.equal(frozen.unchanged('a', picture, 0), false, 'first sight');
  assert.equal(frozen.unchanged('a', picture, 1000), true);
  assert.equal(frozen.stillFor('a', 1000), 1000);
  assert.equal(frozen.unchanged('a', picture, 3500), false, 'recheck after recheckMs');
  assert.equal(frozen.stillFor('a', 3500), 3500, 'the recheck of the same picture keeps counting');
  const noisy = picture.map((v, j) => v + (j % 2 ? 0.2 : -0.2));
  assert.equal(frozen.unchanged('a', noisy, 4000), true, 'small change: still skipped');
  assert.equal(frozen.stillFor('a', 4000), 0, 'but not the same picture: a live camera');
  assert.equal(frozen.stillFor('unknown', 4000), 0);
});
