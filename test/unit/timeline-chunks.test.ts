/**
 * Proves the chunk encoding of the timeline (pure, no IndexedDB): decoded seconds pass
 * `secondRecordSchema`, probabilities come back summing to 1 and each within 0.005 of what was
 * written, `dominant` is recomputed from them, gap seconds keep their reason, samples are capped,
 * unreadable bytes are skipped and counted; a chunk serialises (V8's value serializer, which
 * Chromium's IndexedDB uses for values) to well under 120 bytes per participant-second; and
 * storage failures become readable Errors.
 */
import { test } from 'node:test';
import { makeSecondRecord } from '../../src/shared/timeline-records.ts';
import assert from 'node:assert/strict';
import { serialize } from 'node:v8';
import * as z from 'zod/mini';
import { EMOTIONS, dominantEmotion, toProbabilities } from '../../src/shared/emotions.ts';
import { GAP_REASONS, secondRecordSchema, type SecondRecord } from '../../src/shared/timeline-records.ts';
import {
  CHUNK_SECONDS,
  chunkStart,
  decodeChunk,
  emptyChunk,
  lastWrittenSecond,
  parseChunk,
  placeSeconds,
  quantizeProbabilities,
  storedSeconds,
  writeSecond,
} from '../../src/shared/timeline-chunks.ts';
import { storageError } from '../../src/shared/timeline-errors.ts';
import { encodePending } from '../../src/shared/timeline-pending.ts';

const ALICE = { id: 'a', name: 'Alice', isSelf: true };

/** A deterministic pseudo-random generator (mulberry32), so failures reproduce. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function faceSecond(second: number, values: number[], faceSeconds = 0.8, samples = 5): SecondRecord {
  const probabilities = toProbabilities(values);
  return makeSecondRecord({ meetingId: 'm', participantId: 'a', name: 'Al', second, probabilities, dominant: dominantEmotion(probabilities).emotion, faceSeconds, samples, gap: null });
}

function gapSecond(second: number, gap: SecondRecord['gap'], samples = 0): SecondRecord {
  return makeSecondRecord({ meetingId: 'm', participantId: 'a', name: 'Al', second, probabilities: null, dominant: null, faceSeconds: 0, samples, gap });
}

test('quantized probabilities sum to exactly 255 and decode within 0.005 of the written ones (2000 random seconds)', () => {
  const next = random(42);
  for (let n = 0; n < 2000; n++) {
    // Mix peaked and flat distributions, with exact zeros, as the model produces.
    const values = EMOTIONS.map(() => (next() < 0.2 ? 0 : Math.pow(next(), 1 + 8 * next())));
    if (!values.some((v) => v > 0)) values[6] = 1;
    const written = faceSecond(n % CHUNK_SECONDS, values, 0.001 + next() * 0.999);
    assert.equal(quantizeProbabilities(written.probabilities!).reduce((s, v) => s + v, 0), 255);
    const chunk = emptyChunk('m', 0, 0);
    writeSecond(chunk, written);
    const [read] = decodeChunk(chunk, ALICE).records;
    assert.ok(read && secondRecordSchema.safeParse(read).success);
    for (const e of EMOTIONS) assert.ok(Math.abs(read.probabilities![e] - written.probabilities![e]) <= 0.005, `${e}: ${read.probabilities![e]} vs ${written.probabilities![e]}`);
    assert.ok(Math.abs(EMOTIONS.reduce((s, e) => s + read.probabilities![e], 0) - 1) < 1e-9);
    assert.equal(read.dominant, dominantEmotion(read.probabilities!).emotion);
    assert.ok(read.faceSeconds > 0 && Math.abs(read.faceSeconds - written.faceSeconds) <= 1 / 255);
  }
});

test('gap seconds keep their reason and sample count; samples above 255 are stored as 255; names come from the meeting', () => {
  const chunk = emptyChunk('m', 0, 120);
  GAP_REASONS.forEach((gap, i) => writeSecond(chunk, gapSecond(120 + i, gap, i)));
  writeSecond(chunk, faceSecond(179, [0, 0, 0, 1, 0, 0, 0], 1, 900));
  const { records, skipped } = decodeChunk(chunk, ALICE);
  assert.equal(skipped, 0);
  assert.deepEqual(
    records.slice(0, GAP_REASONS.length),
    GAP_REASONS.map((gap, i) => ({ ...gapSecond(120 + i, gap, i), name: 'Alice' })),
  );
  assert.equal(records.at(-1)!.samples, 255);
  assert.equal(records.at(-1)!.second, 179);
  assert.equal(lastWrittenSecond(chunk), 179);
  assert.equal(storedSeconds(chunk), GAP_REASONS.length + 1);
  assert.throws(() => writeSecond(chunk, gapSecond(180, 'paused')), RangeError);
});

test('invalid bytes are skipped second by second; an unknown participant index skips the whole chunk', () => {
  const chunk = emptyChunk('m', 3, 0);
  for (const s of [0, 1, 2, 3, 4, 5]) writeSecond(chunk, faceSecond(s, [1, 1, 1, 1, 1, 1, 1]));
  chunk.gap[1] = 200; // no such reason
  chunk.probabilities.fill(0, 2 * 7, 3 * 7); // a face second without probabilities
  chunk.face[4] = 0; // probabilities but no face
  chunk.gap[5] = 1; // a no-face gap that still has a face fraction and probabilities
  const { records, skipped } = decodeChunk(chunk, ALICE);
  assert.deepEqual(
    records.map((r) => r.second),
    [0, 3],
  );
  assert.equal(skipped, 4);
  for (const r of records) assert.ok(secondRecordSchema.safeParse(r).success, 'every decoded second passes the schema');
  assert.deepEqual(decodeChunk(chunk, undefined), { records: [], skipped: 6 });
});

test('parseChunk accepts only the exact shape; storedSeconds counts unreadable values as 1', () => {
  const chunk = emptyChunk('m', 0, 60);
  assert.ok(parseChunk(structuredClone(chunk)));
  assert.equal(parseChunk({ ...chunk, start: 30 }), null);
  assert.equal(parseChunk({ ...chunk, face: new Uint8Array(59) }), null);
  assert.equal(parseChunk({ ...chunk, extra: 1 }), null);
  assert.equal(parseChunk({ ...chunk, samples: [...chunk.samples] }), null);
  assert.equal(storedSeconds({ garbage: true }), 1);
  assert.equal(storedSeconds(null), 1);
});

test('placeSeconds appends unknown participants and groups records by participant and minute', () => {
  const records = [faceSecond(59, [1, 0, 0, 0, 0, 0, 0]), { ...faceSecond(60, [1, 0, 0, 0, 0, 0, 0]), participantId: 'z', name: 'Zed' }, faceSecond(61, [1, 0, 0, 0, 0, 0, 0])];
  const placed = placeSeconds([ALICE], records);
  assert.deepEqual(placed.participants, [ALICE, { id: 'z', name: 'Zed', isSelf: false }]);
  assert.deepEqual(
    placed.groups.map((g) => [g.participant, g.start, g.records.map((r) => r.second)]),
    [
      [0, 0, [59]],
      [1, 60, [60]],
      [0, 60, [61]],
    ],
  );
  const known = [ALICE];
  assert.equal(placeSeconds(known, [records[0]!]).participants, known, 'no new participant: the same array');
  assert.equal(chunkStart(119), 60);
});

test('a full chunk serialises to well under 120 bytes per participant-second (V8 value serializer)', () => {
  const next = random(7);
  const chunk = emptyChunk('5f0c6a8e-3b1d-4c2a-9e7f-1a2b3c4d5e6f', 4, 3600);
  for (let i = 0; i < CHUNK_SECONDS; i++) writeSecond(chunk, faceSecond(3600 + i, EMOTIONS.map(() => next()), next() + 0.01, 10));
  const perSecond = serialize(chunk).length / CHUNK_SECONDS;
  assert.ok(perSecond < 20, `${perSecond.toFixed(1)} bytes per second`);
});

test('one write of 25 participants serialises to under 30 bytes per participant-second (the pending record)', () => {
  const next = random(9);
  const entries = Array.from({ length: 25 }, (_, participant) => ({ participant, record: faceSecond(600, EMOTIONS.map(() => next())) }));
  const perSecond = serialize(encodePending('5f0c6a8e-3b1d-4c2a-9e7f-1a2b3c4d5e6f', 600, entries)).length / entries.length;
  assert.ok(perSecond < 30, `${perSecond.toFixed(1)} bytes per participant-second`);
});

test('storage failures become readable Errors that keep the DOMException as cause; other errors pass unchanged', () => {
  const quota = new DOMException('Quota exceeded', 'QuotaExceededError');
  const full = storageError(quota);
  assert.ok(full instanceof Error);
  assert.equal(full.message, "the browser's storage for CallMood is full");
  assert.equal(full.cause, quota);
  assert.match((storageError(new DOMException('No objectStore named chunks', 'NotFoundError')) as Error).message, /the database layout is damaged/);
  const zodError = z.int().safeParse(0.5).error;
  assert.equal(storageError(zodError), zodError);
  const own = new Error('meeting m not found');
  assert.equal(storageError(own), own);
});
