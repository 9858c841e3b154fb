/**
 * Reading a labelled image set (scripts/lib/labels.ts): a valid set loads with its row and
 * line numbers, and every kind of bad row is reported, with its row number and path, in one
 * LabelsError listing all problems.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { crc32, deflateSync } from 'node:zlib';
import { LabelsError, readLabelledSet } from '../../scripts/lib/labels.ts';

const root = mkdtempSync(join(tmpdir(), 'callmood-labels-'));
after(() => rmSync(root, { recursive: true, force: true }));
let setCount = 0;

function chunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A valid 1×1 8-bit grayscale PNG. */
function tinyPng(gray = 128): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(1, 0); // width
  ihdr.writeUInt32BE(1, 4); // height
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // colour type: grayscale
  const raw = Buffer.from([0, gray]); // filter byte 0, one pixel
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** SOI + an APP0 (JFIF) marker start: enough for the magic-byte check. */
const jpegHeader = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00]);

/** A fresh folder under the temp root with the given files (Buffer or text). */
function makeSet(files: Record<string, Buffer | string>): string {
  const dir = join(root, `set-${++setCount}`);
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

/** Runs readLabelledSet expecting a LabelsError; returns it. */
async function rejects(dir: string): Promise<LabelsError> {
  try {
    await readLabelledSet(dir);
  } catch (e) {
    assert.ok(e instanceof LabelsError, `expected a LabelsError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected readLabelledSet to reject');
}

test('the generated PNG is a real PNG (sanity check of the fixture)', () => {
  const png = tinyPng();
  assert.equal(png.length, 67, '8 signature + 25 IHDR + 22 IDAT + 12 IEND');
  assert.deepEqual([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
});

test('a valid set loads, with row and line numbers, labels trimmed and case-folded, extra columns ignored', async () => {
  const dir = makeSet({
    'train/angry/0001.png': tinyPng(10),
    'train/happy/0002.jpg': jpegHeader,
    'test/a,b.png': tinyPng(200),
  });
  writeFileSync(
    join(dir, 'labels.csv'),
    '\uFEFFpath,label,fer2013_usage,sha1\r\n' +
      'train/angry/0001.png,angry,Training,abc\r\n' +
      '\r\n' + // a blank line: skipped, but the line numbers stay true
      'train/happy/0002.jpg, Happy ,Training,def\r\n' +
      '"test/a,b.png",NEUTRAL,PublicTest,0123\r\n',
  );
  const set = await readLabelledSet(dir);
  assert.equal(set.dir, dir);
  assert.deepEqual(set.items, [
    { row: 1, line: 2, path: 'train/angry/0001.png', absPath: join(dir, 'train/angry/0001.png'), label: 'angry' },
    { row: 2, line: 4, path: 'train/happy/0002.jpg', absPath: join(dir, 'train/happy/0002.jpg'), label: 'happy' },
    { row: 3, line: 5, path: 'test/a,b.png', absPath: join(dir, 'test/a,b.png'), label: 'neutral' },
  ]);
});

test('every bad row is reported at once, each with its row number, line and path', async () => {
  const outside = makeSet({ 'outside.png': tinyPng() });
  const dir = join(outside, 'set');
  mkdirSync(dir);
  writeFileSync(join(dir, 'ok.png'), tinyPng());
  writeFileSync(join(dir, 'ok2.png'), tinyPng());
  writeFileSync(join(dir, 'notes.png'), 'hello, not an image');
  writeFileSync(join(dir, 'empty.png'), '');
  mkdirSync(join(dir, 'folder.png'));
  symlinkSync(join(outside, 'outside.png'), join(dir, 'escape.png')); // file link out of the set
  symlinkSync(outside, join(dir, 'linkdir')); // folder link out of the set
  symlinkSync(join(dir, 'ok.png'), join(dir, 'alias.png')); // link inside: same file as ok.png
  const rows: [string, string][] = [
    ['ok.png', 'happy'], // 1 valid
    ['../outside.png', 'sad'], // 2 leaves the folder (the file exists)
    [join(dir, 'ok2.png'), 'sad'], // 3 absolute (the file exists)
    ['escape.png', 'sad'], // 4 symlink out
    ['linkdir/outside.png', 'sad'], // 5 through a linked folder out
    ['ok2.png', 'bored'], // 6 unknown label
    ['missing.png', 'fear'], // 7 missing file
    ['notes.png', 'fear'], // 8 not an image
    ['ok.png', 'sad'], // 9 duplicate of row 1
    ['./ok.png', 'sad'], // 10 duplicate after normalisation
    ['empty.png', 'fear'], // 11 empty file, not an image
    ['folder.png', 'fear'], // 12 a folder
    ['alias.png', 'happy'], // 13 the same file as row 1 through a link
    ['a/../../set/ok2.png', 'angry'], // 14 leaves the folder on the way
  ];
  writeFileSync(join(dir, 'labels.csv'), 'path,label\n' + rows.map((r) => r.join(',')).join('\n') + '\n');
  const err = await rejects(dir);
  const expected: [number, RegExp][] = [
    [2, /leaves the data folder/],
    [3, /absolute path/],
    [4, /symbolic link out of the data folder/],
    [5, /symbolic link out of the data folder/],
    [6, /unknown label "bored" \(allowed: angry, disgust, fear, happy, sad, surprise, neutral\)/],
    [7, /file not found/],
    [8, /not a JPEG or PNG image \(first bytes: 68 65 6c 6c\)/],
    [9, /duplicate of row 1 \(line 2\) "ok\.png"/],
    [10, /duplicate of row 1 \(line 2\) "ok\.png"/],
    [11, /not a JPEG or PNG image \(first bytes: none, empty file\)/],
    [12, /not a regular file/],
    [13, /duplicate: same file as row 1 \(line 2\) "ok\.png"/],
    [14, /leaves the data folder/],
  ];
  assert.equal(err.problems.length, expected.length, err.problems.join('\n'));
  for (const [row, what] of expected) {
    const prefix = `row ${row} (line ${row + 1}) ${JSON.stringify(rows[row - 1]![0])}: `;
    const problem = err.problems.find((p) => p.startsWith(prefix));
    assert.ok(problem, `row ${row} reported; got:\n${err.problems.join('\n')}`);
    assert.match(problem, what);
  }
  assert.match(err.message, /labels\.csv: 13 problems/);
  assert.ok(err.message.includes(err.problems[0]!), 'the message lists the first problems');
  assert.match(err.message, /\.\.\. and 3 more/, 'and counts the rest');
});

test('a row with several problems gets all of them', async () => {
  const dir = makeSet({});
  writeFileSync(join(dir, 'labels.csv'), 'path,label,usage\nnope.png,Grumpy,Training\n,,Training\n');
  const err = await rejects(dir);
  assert.deepEqual(err.problems, [
    'row 1 (line 2) "nope.png": unknown label "Grumpy" (allowed: angry, disgust, fear, happy, sad, surprise, neutral)',
    'row 1 (line 2) "nope.png": file not found',
    'row 2 (line 3) "": missing label',
    'row 2 (line 3) "": empty path',
  ]);
  assert.match(err.message, /: 4 problems\n/);
});

test('a missing labels.csv, missing columns, a header without rows and a CSV syntax error are reported', async () => {
  const none = makeSet({ 'x.png': tinyPng() });
  assert.match((await rejects(none)).problems[0]!, /labels\.csv not found/);

  const noColumns = makeSet({ 'x.png': tinyPng(), 'labels.csv': 'file,emotion\nx.png,happy\n' });
  assert.match((await rejects(noColumns)).problems[0]!, /missing columns "path" and "label" \(found: "file", "emotion"\)/);

  const noLabel = makeSet({ 'x.png': tinyPng(), 'labels.csv': 'PATH,usage\nx.png,Training\n' });
  assert.match((await rejects(noLabel)).problems[0]!, /missing column "label"/);

  const headerOnly = makeSet({ 'labels.csv': 'path,label\n' });
  assert.match((await rejects(headerOnly)).problems[0]!, /no data rows/);

  const badQuote = makeSet({ 'x.png': tinyPng(), 'labels.csv': 'path,label\nx.png,happy\n"y.png,sad\n' });
  const err = await rejects(badQuote);
  assert.equal(err.problems.length, 1, err.problems.join('\n'));
  assert.match(err.problems[0]!, /^row 2 \(line 3\) .*CSV error: Quoted field unterminated/);
});

test('a file that cannot be read is reported', { skip: process.getuid?.() === 0 ? 'root can read any file' : false }, async () => {
  const dir = makeSet({ 'locked.png': tinyPng(), 'labels.csv': 'path,label\nlocked.png,sad\n' });
  chmodSync(join(dir, 'locked.png'), 0o000);
  assert.match((await rejects(dir)).problems[0]!, /^row 1 \(line 2\) "locked\.png": file not readable/);
});
