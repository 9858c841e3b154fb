/**
 * Split keys and halves (scripts/lib/evaluate.ts): `person` keeps every photo of an LFW person
 * and every frame of a CK+ subject in one half, and the halves partition the set.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { selectHalf, splitKey } from '../../scripts/lib/evaluate.ts';
import type { LabelledImage } from '../../scripts/lib/labels.ts';

test('person keys: LFW photo numbers and CK+ sequences and frames are dropped', () => {
  assert.equal(splitKey('happy/George_W_Bush_0003.jpg', 'person'), 'George_W_Bush');
  assert.equal(splitKey('anger/S010_004_00000017.png', 'person'), 'S010');
  assert.equal(splitKey('happy/S010_006_00000015.png', 'person'), 'S010');
  assert.equal(splitKey('fer/PublicTest_123.png', 'person'), 'PublicTest_123');
  assert.equal(splitKey('anger/S010_004_00000017.png', 'image'), 'anger/S010_004_00000017.png');
});

test('split by person: halves partition the set and never share a subject', () => {
  const items: LabelledImage[] = [];
  for (let s = 5; s < 140; s++) {
    for (const [seq, label] of [[1, 'happy'], [4, 'angry']] as const) {
      for (let f = 10; f < 13; f++) {
        const subject = `S${String(s).padStart(3, '0')}`;
        const path = `${label}/${subject}_00${seq}_000000${f}.png`;
        items.push({ row: items.length + 1, line: items.length + 2, path, absPath: `/data/${path}`, label });
      }
    }
  }
  const a = selectHalf(items, 'A', 'person');
  const b = selectHalf(items, 'B', 'person');
  assert.equal(a.length + b.length, items.length);
  const subjects = (half: LabelledImage[]) => new Set(half.map((it) => it.path.split('/')[1]!.slice(0, 4)));
  const shared = [...subjects(a)].filter((s) => subjects(b).has(s));
  assert.deepEqual(shared, []);
  // 135 subjects: both halves get a fair share (a hash, not the subject number's parity).
  assert.ok(subjects(a).size > 40 && subjects(b).size > 40, `${subjects(a).size} / ${subjects(b).size}`);
});
