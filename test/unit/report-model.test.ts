/**
 * Proves the meeting report's numbers: the per-participant figures are the JSON export's own,
 * arcs are means per bin with gaps (null) where no face was seen, a long meeting is binned to at
 * most the chart's points, the whole meeting's mood averages the faces present, key moments
 * find the seconds most people were happy or surprised together and the negative peaks (kept
 * apart, sorted by time), excluded participants and other meetings are left out, a running
 * meeting reaches its last second written, valence is binned like the arcs (gaps null), and the
 * talk rows join each participant's talk time with the reactions to their turns.
 */
import { test } from 'node:test';
import { makeSecondRecord } from '../../src/shared/timeline-records.ts';
import assert from 'node:assert/strict';
import { buildSummary } from '../../src/shared/export.ts';
import { buildMeetingReport, formatDuration, MAX_CHART_POINTS, talkRows } from '../../src/shared/report-model.ts';
import { valenceArousal } from '../../src/shared/affect.ts';
import type { MeetingSummary } from '../../src/shared/export.ts';
import { EMOTIONS, type Emotion, type Probabilities } from '../../src/shared/emotions.ts';
import type { MeetingRecord, SecondRecord } from '../../src/shared/timeline-records.ts';

function probs(main: Emotion, p = 0.7): Probabilities {
  const rest = (1 - p) / 6;
  return Object.fromEntries(EMOTIONS.map((e) => [e, e === main ? p : rest])) as Probabilities;
}

const meeting: MeetingRecord = {
  schemaVersion: 1,
  id: 'm1',
  site: 'meet.google.com',
  adapter: 'meet',
  startedAt: 1_700_000_000_000,
  endedAt: 1_700_000_000_000 + 600_000,
  participants: [
    { id: 'a', name: 'Ana', isSelf: true },
    { id: 'b', name: 'Ben', isSelf: false },
    { id: 'c', name: 'Caro', isSelf: false },
    { id: 'x', name: '', isSelf: false, excluded: true },
  ],
};

function rec(participantId: string, second: number, p: Probabilities | null, meetingId = 'm1'): SecondRecord {
  const dominant = p ? EMOTIONS.reduce((best, e) => (p[e] > p[best] ? e : best), EMOTIONS[0] as Emotion) : null;
  return makeSecondRecord({ meetingId, participantId, name: participantId, second, probabilities: p, dominant, faceSeconds: p ? 1 : 0, samples: 3, gap: p ? null : 'no-face' });
}

/** 600 s: Ana and Ben happy together at 100..104, Ben angry at 300..302, Caro never has a face. */
function seconds(): SecondRecord[] {
  const out: SecondRecord[] = [];
  for (let s = 0; s < 600; s++) {
    out.push(rec('a', s, s >= 100 && s < 105 ? probs('happy', 0.9) : probs('neutral')));
    out.push(rec('b', s, s >= 100 && s < 105 ? probs('surprise') : s >= 300 && s < 303 ? probs('angry', 0.95) : s >= 400 && s < 410 ? null : probs('neutral')));
    out.push(rec('c', s, null));
  }
  out.push(rec('x', 5, probs('sad', 0.99)), rec('a', 5, probs('sad', 0.99), 'other'));
  return out;
}

test('participant figures are the JSON summary\'s own; excluded participants and other meetings are left out', () => {
  const all = seconds();
  const report = buildMeetingReport(meeting, all, 2);
  assert.deepEqual(report.summary, buildSummary(meeting, all));
  assert.deepEqual(report.participants.map((p) => p.summary.name), ['Ana', 'Ben', 'Caro']);
  assert.equal(report.skipped, 2);
  const [ana, ben, caro] = report.participants;
  assert.equal(ana!.isSelf, true);
  assert.equal(ana!.noFaceSeen, false);
  assert.equal(caro!.noFaceSeen, true);
  assert.equal(caro!.faceShare, 0);
  assert.equal(ben!.faceShare, 590 / 600);
  assert.equal(report.durationSeconds, 600);
});

test('arcs hold the mean per bin and null where no face was seen; the mood averages the faces present', () => {
  const report = buildMeetingReport(meeting, seconds());
  assert.equal(report.binSeconds, 1);
  assert.equal(report.bins.length, 600);
  const ben = report.participants[1]!;
  assert.equal(ben.arc.neutral[405], null, 'a second without a face is a gap, not a zero');
  assert.ok(Math.abs(ben.arc.angry[301]! - 0.95) < 1e-9);
  assert.ok(report.participants[2]!.arc.happy.every((v) => v === null));
  assert.ok(Math.abs(report.mood.happy[102]! - (0.9 + 0.05) / 2) < 1e-9, 'mean of Ana (0.9) and Ben (0.05) at second 102');
  assert.equal(report.faces[102], 2);
  assert.equal(report.faces[405], 1);
});

test('a 3-hour meeting is binned to at most the chart\'s points, each bin the mean of its seconds', () => {
  const long: SecondRecord[] = [];
  for (let s = 0; s < 10_800; s++) long.push(rec('a', s, s % 2 ? probs('happy', 0.8) : probs('happy', 0.6)));
  const report = buildMeetingReport({ ...meeting, endedAt: meeting.startedAt + 10_800_000 }, long);
  assert.ok(report.bins.length <= MAX_CHART_POINTS, `${report.bins.length} bins`);
  assert.equal(report.binSeconds, 9);
  assert.ok(Math.abs(report.participants[0]!.arc.happy[0]! - (5 * 0.6 + 4 * 0.8) / 9) < 1e-9);
});

test('key moments: most people happy or surprised together, and negative peaks, apart and by time', () => {
  const report = buildMeetingReport(meeting, seconds());
  const together = report.keyMoments.filter((m) => m.kind === 'together');
  const negative = report.keyMoments.filter((m) => m.kind === 'negative');
  assert.equal(together[0]!.second, 100, 'the first second with both Ana and Ben');
  assert.equal(together[0]!.score, 2);
  assert.deepEqual(together[0]!.names, ['Ana', 'Ben']);
  assert.equal(together[0]!.at, meeting.startedAt + 100_000);
  assert.equal(together.length, 1, 'the other together seconds are within the separation of the first');
  assert.equal(negative.length, 1);
  assert.equal(negative[0]!.second, 300);
  assert.deepEqual(negative[0]!.names, ['Ben']);
  assert.ok(negative[0]!.score >= 0.3);
  assert.deepEqual(report.keyMoments.map((m) => m.second), [100, 300]);
});

test('a meeting still running reaches its last second; a meeting without seconds is empty, not an error', () => {
  const running = buildMeetingReport({ ...meeting, endedAt: null }, seconds().filter((s) => s.second < 42));
  assert.equal(running.durationSeconds, 42);
  const empty = buildMeetingReport({ ...meeting, endedAt: meeting.startedAt }, []);
  assert.equal(empty.durationSeconds, 0);
  assert.equal(empty.bins.length, 1);
  assert.deepEqual(empty.keyMoments, []);
  assert.ok(empty.participants.every((p) => p.noFaceSeen));
});

test('formatDuration writes m:ss and h:mm:ss', () => {
  assert.equal(formatDuration(0), '0:00');
  assert.equal(formatDuration(75), '1:15');
  assert.equal(formatDuration(3 * 3600 + 5), '3:00:05');
});

test('valence per bin: the mean of the seconds with a face, null where none; binned like the arcs', () => {
  const report = buildMeetingReport(meeting, seconds());
  const ben = report.participants[1]!;
  assert.equal(ben.valence.length, report.bins.length);
  assert.ok(Math.abs(ben.valence[301]! - valenceArousal(probs('angry', 0.95)).valence) < 1e-9);
  assert.equal(ben.valence[405], null, 'no face: a gap, not a zero');
  assert.ok(report.participants[2]!.valence.every((v) => v === null));

  const long: SecondRecord[] = [];
  for (let s = 0; s < 10_800; s++) long.push(rec('a', s, s % 2 ? probs('happy', 0.8) : null));
  const binned = buildMeetingReport({ ...meeting, endedAt: meeting.startedAt + 10_800_000 }, long);
  assert.equal(binned.binSeconds, 9);
  assert.ok(Math.abs(binned.participants[0]!.valence[0]! - valenceArousal(probs('happy', 0.8)).valence) < 1e-9, 'the mean of the 4 seconds with a face, the 5 without ignored');
});

test('talk rows: every participant in order with talk time, share and the reactions to their turns (null without a turn)', () => {
  const speaking = (id: string, s: number) => (id === 'a' ? s >= 10 && s < 20 : id === 'b' ? s >= 40 && s < 45 : null);
  const all = seconds().map((r) => {
    const spoke = speaking(r.participantId, r.second);
    return spoke === null ? r : { ...r, speaking: spoke, speakingSource: 'site' as const };
  });
  const report = buildMeetingReport(meeting, all);
  assert.equal(report.speakingKnown, true);
  assert.deepEqual(report.talk.map((t) => t.participantId), ['a', 'b', 'c']);
  assert.deepEqual(report.talk, talkRows(report.summary));
  const [a, b, c] = report.talk;
  assert.equal(a!.seconds, report.summary.talkTime[0]!.seconds);
  assert.equal(a!.share, report.summary.talkTime[0]!.share);
  assert.equal(a!.knownSeconds, report.summary.participants[0]!.speakingKnownSeconds);
  assert.equal(a!.seconds, 10);
  assert.equal(a!.reactions?.turns, 1, "Ana's 10 s are one turn");
  assert.deepEqual(a!.reactions, report.summary.reactions.find((r) => r.speakerId === 'a') ?? null);
  assert.deepEqual(b!.reactions, report.summary.reactions.find((r) => r.speakerId === 'b') ?? null);
  assert.equal(c!.reactions, null, 'Caro never spoke');
  assert.equal(c!.knownSeconds, 0);
  assert.equal(buildMeetingReport(meeting, seconds()).speakingKnown, false, 'no second with speaking known');
});

test('talkRows joins by id: a participant missing from talkTime or reactions gets their own seconds and no reactions', () => {
  const base = buildSummary(meeting, seconds());
  const summary: MeetingSummary = {
    ...base,
    talkTime: [{ participantId: 'b', name: 'Ben', seconds: 12, share: 1 }],
    reactions: [{ speakerId: 'b', speakerName: 'Ben', turns: 2, turnSeconds: 12, listenerValenceMean: 0.1234, listenerValenceChange: -0.05 }],
  };
  const rows = talkRows(summary);
  assert.deepEqual(rows.map((r) => [r.participantId, r.seconds, r.share, r.reactions?.turns ?? null]), [
    ['a', 0, 0, null],
    ['b', 12, 1, 2],
    ['c', 0, 0, null],
  ]);
});
