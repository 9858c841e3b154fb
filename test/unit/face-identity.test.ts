import assert from 'node:assert/strict';
import { test } from 'node:test';
import { appearanceDistance, FaceIdentities } from '../../src/engine/face-identity.ts';

const box = (x: number, y: number, side = 100) => ({ x, y, width: side, height: side });
/** A 48-value descriptor from a seed: different seeds look different. */
const look = (seed: number) => Array.from({ length: 48 }, (_, i) => 128 + 100 * Math.sin(seed * 1.7 + i * (0.3 + seed * 0.11)));

test('appearanceDistance ignores brightness and contrast, and tells different looks apart', () => {
  const a = look(1);
  assert.ok(appearanceDistance(a, a.map((v) => 0.5 * v + 40)) < 1e-9, 'same look, dimmer');
  assert.ok(appearanceDistance(a, look(2)) > 0.35);
  assert.equal(appearanceDistance(a, a.slice(1)), Infinity, 'lengths differ');
  assert.equal(appearanceDistance(a, a.map(() => 7)), Infinity, 'flat descriptor');
});

test('people keep their numbers while they move, whatever order the faces come in', () => {
  const ids = new FaceIdentities();
  assert.deepEqual(ids.assign([{ box: box(0, 0), appearance: look(1) }, { box: box(400, 0), appearance: look(2) }], 0), [1, 2]);
  // Both moved a little, and the detector lists them the other way round.
  assert.deepEqual(ids.assign([{ box: box(420, 10), appearance: look(2) }, { box: box(30, 5), appearance: look(1) }], 100), [2, 1]);
  // A third person walks in.
  assert.deepEqual(ids.assign([{ box: box(40, 5), appearance: look(1) }, { box: box(800, 0), appearance: look(3) }, { box: box(430, 10), appearance: look(2) }], 200), [1, 3, 2]);
  assert.deepEqual(ids.known, [1, 2, 3]);
});

test('a person who left and came back elsewhere is recognised by appearance; a stranger is new', () => {
  const ids = new FaceIdentities();
  ids.assign([{ box: box(0, 0), appearance: look(1) }, { box: box(400, 0), appearance: look(2) }], 0);
  ids.assign([{ box: box(400, 0), appearance: look(2) }], 100); // person 1 left
  // Person 1 comes back on the far right, person 2 stays; then a stranger appears where 1 was.
  assert.deepEqual(ids.assign([{ box: box(900, 300), appearance: look(1) }, { box: box(400, 0), appearance: look(2) }], 200), [1, 2]);
  assert.deepEqual(ids.assign([{ box: box(900, 300), appearance: look(1) }, { box: box(0, 0), appearance: look(5) }], 300), [1, 3]);
});

test('no two faces of a frame share a person, and old people are forgotten past maxPeople', () => {
  const ids = new FaceIdentities({ maxPeople: 2, minIou: 0.2, maxCentreShift: 0.75, maxAppearanceDistance: 0.35, appearanceRate: 0.2 });
  assert.deepEqual(ids.assign([{ box: box(0, 0), appearance: null }, { box: box(10, 0), appearance: null }], 0), [1, 2]);
  ids.assign([{ box: box(2000, 0), appearance: null }], 100);
  assert.equal(ids.known.length, 2);
  assert.ok(ids.known.includes(3));
});
