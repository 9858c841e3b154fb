/**
 * Class folders to labels.csv (scripts/lib/class-folders.ts): the field's spellings map to our
 * classes, contempt and unknown folders are skipped and counted, and the CSV is read back by
 * readLabelledSet.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { classForFolder, writeLabelsFromFolders } from '../../scripts/lib/class-folders.ts';

const root = mkdtempSync(join(tmpdir(), 'callmood-class-folders-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('folder names of common data sets map to our classes', () => {
  assert.equal(classForFolder('anger'), 'angry');
  assert.equal(classForFolder('Sadness'), 'sad');
  assert.equal(classForFolder(' happiness '), 'happy');
  assert.equal(classForFolder('3 - fear'), 'fear');
  assert.equal(classForFolder('1_Surprised'), 'surprise');
  assert.equal(classForFolder('neutral'), 'neutral');
  assert.equal(classForFolder('contempt'), null);
  assert.equal(classForFolder('misc'), null);
});

test('labels.csv lists every image of the known folders, sorted, and skips the rest', async () => {
  const dir = join(root, 'set');
  for (const [folder, files] of [
    ['anger', ['b.png', 'a.png', 'notes.txt']],
    ['sadness', ['c.jpg']],
    ['contempt', ['d.png', 'e.png']],
  ] as const) {
    mkdirSync(join(dir, folder), { recursive: true });
    for (const f of files) writeFileSync(join(dir, folder, f), 'x');
  }
  const made = await writeLabelsFromFolders(dir);
  assert.deepEqual(made.rows, [
    { path: 'anger/a.png', label: 'angry' },
    { path: 'anger/b.png', label: 'angry' },
    { path: 'sadness/c.jpg', label: 'sad' },
  ]);
  assert.equal(made.counts.angry, 2);
  assert.equal(made.counts.sad, 1);
  assert.deepEqual(made.skipped, [{ folder: 'contempt', images: 2 }]);
  assert.equal(readFileSync(join(dir, 'labels.csv'), 'utf8'), 'path,label\nanger/a.png,angry\nanger/b.png,angry\nsadness/c.jpg,sad\n');
});

test('a folder with no class folder of ours is an error that names what it found', async () => {
  const dir = join(root, 'empty');
  mkdirSync(join(dir, 'contempt'), { recursive: true });
  await assert.rejects(writeLabelsFromFolders(dir), /no class folder of ours found \(folders: contempt\)/);
});
