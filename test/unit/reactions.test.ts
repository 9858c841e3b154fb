/**
 * Proves the turns and reactions of shared/reactions.ts at their edges: pauses bridged up to
 * TURN_MAX_GAP_SECONDS, bursts shorter than TURN_MIN_SECONDS dropped, a speaker who leaves
 * mid-turn, a listener who leaves, and no listener at all (null, never an invented value).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { reactionsTo, speakingTurns, TURN_MAX_GAP_SECONDS, TURN_MIN_SECONDS } from '../../src/shared/reactions.ts';
import { toProbabilities } from '../../src/shared/emotions.ts';
import { makeSecondRecord, type SecondRecord } from '../../src/shared/timeline-records.ts';

const HAPPY = toProbabilities([0, 0, 0, 1, 0, 0, 0]);
const SAD = toProbabilities([0, 0, 0, 0, 1, 0, 0]);

function second(participantId: string, s: number, speaking: boolean | null, face: typeof HAPPY | null = HAPPY): SecondRecord {
  return makeSecondRecord({
    meetingId: 'm',
    participantId,
    name: participantId,
    second: s,
    probabilities: face,
    dominant: face ? (face === HAPPY ? 'happy' : 'sad') : null,
    faceSeconds: face ? 1 : 0,
    samples: 5,
    gap: face ? null : 'no-face',
    speaking,
    speakingSource: speaking === null ? null : 'face',
  });
}

test('turns bridge short pauses and drop bursts shorter than a turn', () => {
  assert.equal(TURN_MAX_GAP_SECONDS, 1);
  assert.equal(TURN_MIN_SECONDS, 2);
  const flags = [0, 1, 1, 0, 1, 0, 0, 1, 0, 0, 1, 1, 1];
  const records = flags.map((f, s) => second('a', s, f === 1));
  // Seconds 1-4 (the pause at 3 bridged), the lone 7 dropped, 10-12.
  assert.deepEqual(speakingTurns(records), [
    { start: 1, end: 4 },
    { start: 10, end: 12 },
  ]);
  assert.deepEqual(speakingTurns(records.map((r) => ({ ...r, speaking: null }))), [], 'unknown speaking is no turn');
});

test('a speaker who leaves mid-turn ends the turn at their last second; a listener who leaves stops counting', () => {
  const byParticipant = new Map<string, SecondRecord[]>([
    // The speaker talks from 3 and leaves after 5.
    ['s', [0, 1, 2, 3, 4, 5].map((t) => second('s', t, t >= 3))],
    // One listener is sad before the turn and happy during it; another leaves at 3.
    ['l1', [0, 1, 2, 3, 4, 5, 6].map((t) => second('l1', t, false, t >= 3 ? HAPPY : SAD))],
    ['l2', [0, 1, 2].map((t) => second('l2', t, false, SAD))],
  ]);
  const r = reactionsTo('s', byParticipant)!;
  assert.deepEqual([r.turns, r.turnSeconds], [1, 3]);
  assert.ok(Math.abs(r.listenerValenceMean! - 0.81) < 1e-9, `during the turn only l1 is there, happy: ${r.listenerValenceMean}`);
  assert.ok(Math.abs(r.listenerValenceChange! - (0.81 - -0.63)) < 1e-9, `from sad before to happy at the end: ${r.listenerValenceChange}`);
});

test('with no listener face during a turn the reaction is null, not zero; a participant who never spoke has none', () => {
  const byParticipant = new Map<string, SecondRecord[]>([
    ['s', [0, 1, 2, 3].map((t) => second('s', t, true))],
    ['l', [0, 1, 2, 3].map((t) => second('l', t, false, null))],
  ]);
  assert.deepEqual(reactionsTo('s', byParticipant), { turns: 1, turnSeconds: 4, listenerValenceMean: null, listenerValenceChange: null });
  assert.equal(reactionsTo('l', byParticipant), null);
});
