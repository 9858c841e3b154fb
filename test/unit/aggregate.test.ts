import assert from 'node:assert/strict';
import { makeSecondRecord } from '../../src/shared/timeline-records.ts';
import { test } from 'node:test';
import { SecondAggregator } from '../../src/engine/aggregate.ts';
import { secondRecordSchema } from '../../src/shared/timeline-records.ts';
import { EMOTIONS, toProbabilities } from '../../src/shared/emotions.ts';

const p = (values: number[]) => toProbabilities(values);
const HAPPY = p([0, 0, 0, 0.8, 0, 0, 0.2]);
const NEUTRAL = p([0, 0, 0, 0.2, 0, 0, 0.8]);
const START = 1_700_000_000_000;

test('one record per participant per completed second, with means over the frames with a face', () => {
  const agg = new SecondAggregator('m1', START);
  agg.add('a', 'Ann', START + 100, HAPPY);
  agg.add('a', 'Ann', START + 500, NEUTRAL);
  agg.add('a', 'Ann', START + 900, null);
  agg.add('b', 'Bob', START + 200, null);
  agg.add('a', 'Ann', START + 1100, HAPPY); // second 1, not complete yet
  const records = agg.flush(START + 1500);
  assert.equal(records.length, 2);
  const [a, b] = records;
  assert.equal(a!.participantId, 'a');
  assert.equal(a!.second, 0);
  assert.equal(a!.samples, 3);
  assert.ok(Math.abs(a!.faceSeconds - 2 / 3) < 1e-12);
  assert.ok(Math.abs(a!.probabilities!.happy - 0.5) < 1e-12);
  assert.ok(Math.abs(a!.probabilities!.neutral - 0.5) < 1e-12);
  assert.equal(a!.dominant, 'happy'); // tie -> first in EMOTIONS order
  assert.deepEqual(b, makeSecondRecord({ meetingId: 'm1', participantId: 'b', name: 'Bob', second: 0, probabilities: null, dominant: null, faceSeconds: 0, samples: 1, gap: 'no-face' }));
  for (const r of records) secondRecordSchema.parse(r); // the store accepts what we produce
  const rest = agg.flush(Infinity);
  assert.equal(rest.length, 1);
  assert.equal(rest[0]!.second, 1);
  assert.equal(rest[0]!.dominant, 'happy');
  assert.deepEqual(agg.flush(Infinity), []);
});

test('a rename within a second keeps one record with the latest name', () => {
  const agg = new SecondAggregator('m1', START);
  agg.add('a', 'Ann', START + 100, HAPPY);
  agg.add('a', 'Ann B.', START + 600, HAPPY);
  const [r] = agg.flush(Infinity);
  assert.equal(r!.name, 'Ann B.');
  assert.equal(r!.samples, 2);
  assert.ok(Math.abs(EMOTIONS.reduce((s, e) => s + r!.probabilities![e], 0) - 1) < 1e-12);
});

test('frames from before the meeting started are ignored', () => {
  const agg = new SecondAggregator('m1', START);
  agg.add('a', 'Ann', START - 10, HAPPY);
  assert.deepEqual(agg.flush(Infinity), []);
});

test('a second without a face keeps the reason most of its frames gave; one with no analysis keeps the reason it was marked with', () => {
  const agg = new SecondAggregator('m1', START);
  agg.add('a', 'Ann', START + 100, null, 'black');
  agg.add('a', 'Ann', START + 300, null, 'frozen');
  agg.add('a', 'Ann', START + 500, null, 'frozen');
  agg.mark('b', 'Bob', START + 100, 'overloaded');
  agg.mark('c', 'Cy', START + 100, 'overloaded');
  agg.add('c', 'Cy', START + 600, HAPPY); // analysed after all
  agg.mark('d', 'Di', START + 100, 'paused');
  const records = agg.flush(Infinity);
  assert.deepEqual(records.map((r) => [r.participantId, r.gap, r.samples, r.probabilities !== null]), [
    ['a', 'frozen', 3, false],
    ['b', 'overloaded', 0, false],
    ['c', null, 1, true],
    ['d', 'paused', 0, false],
  ]);
  for (const r of records) secondRecordSchema.parse(r);
});
