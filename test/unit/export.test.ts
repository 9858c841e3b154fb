/**
 * Proves that the export files carry the exact numbers of a hand-built meeting: per-participant
 * counts, face time, dominant shares and mean probabilities in the summary, one CSV row per
 * participant per second with the latest name, and that the CSV parses back to the same cells.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Papa from 'papaparse';
import { buildSummary, buildTimelineCsv, meetingSummarySchema, TIMELINE_CSV_FIELDS } from '../../src/shared/export.ts';
import type { Probabilities } from '../../src/shared/emotions.ts';
import type { MeetingRecord, SecondRecord } from '../../src/shared/timeline-store.ts';

const P_HAPPY: Probabilities = { angry: 0, disgust: 0, fear: 0, happy: 0.8, sad: 0, surprise: 0.05, neutral: 0.15 };
const P_NEUTRAL: Probabilities = { angry: 0.1, disgust: 0, fear: 0, happy: 0.2, sad: 0.1, surprise: 0, neutral: 0.6 };
const P_MIXED: Probabilities = { angry: 0, disgust: 0, fear: 0.1, happy: 0.5, sad: 0, surprise: 0.2, neutral: 0.2 };

const MEETING: MeetingRecord = {
  schemaVersion: 1,
  id: 'm-1',
  site: 'meet.google.com',
  adapter: 'meet',
  startedAt: Date.UTC(2025, 2, 1, 14, 2, 0),
  endedAt: Date.UTC(2025, 2, 1, 14, 2, 5, 250),
  participants: [
    { id: 'spaces/x/devices/1', name: 'Ana Lima', isSelf: true },
    // Was "Bo" during the first seconds, then renamed: the meeting keeps the latest name.
    { id: 'spaces/x/devices/2', name: 'Chen, Bo', isSelf: false },
  ],
};

function sec(
  participantId: string,
  name: string,
  second: number,
  probabilities: Probabilities | null,
  dominant: SecondRecord['dominant'],
  faceSeconds: number,
  samples = 5,
  meetingId = 'm-1',
  gap: SecondRecord['gap'] = probabilities ? null : 'no-face',
): SecondRecord {
  return { schemaVersion: 2, meetingId, participantId, name, second, probabilities, dominant, faceSeconds, samples, gap };
}

const NO_GAPS = { 'no-face': 0, 'face-too-small': 0, 'tile-too-small': 0, frozen: 0, black: 0, paused: 0, overloaded: 0, 'not-recording': 0 };
const A = 'spaces/x/devices/1';
const B = 'spaces/x/devices/2';

// Deliberately out of order, with one record of another meeting that must be ignored.
const SECONDS: SecondRecord[] = [
  sec(B, 'Chen, Bo', 2, P_HAPPY, 'happy', 0.25, 4),
  sec(A, 'Ana Lima', 3, P_MIXED, 'happy', 0.4),
  sec(A, 'Ana Lima', 0, P_HAPPY, 'happy', 1),
  sec(B, 'Bo', 0, null, null, 0, 3),
  sec(A, 'Ana Lima', 2, null, null, 0, 4, 'm-1', 'frozen'),
  sec('other', 'Other meeting', 0, P_HAPPY, 'happy', 1, 5, 'm-2'),
  sec(B, 'Bo', 1, P_NEUTRAL, 'neutral', 0.5, 4),
  sec(A, 'Ana Lima', 1, P_NEUTRAL, 'neutral', 0.6),
];

test('buildSummary gives the exact per-participant numbers of a hand-built meeting', () => {
  const summary = buildSummary(MEETING, SECONDS);
  assert.deepEqual(summary, {
    schemaVersion: 2,
    meeting: { id: MEETING.id, site: 'meet.google.com', startedAt: '2025-03-01T14:02:00.000Z', endedAt: '2025-03-01T14:02:05.250Z' },
    participants: [
      {
        id: A,
        name: 'Ana Lima',
        secondsObserved: 4,
        gaps: { ...NO_GAPS, frozen: 1 },
        secondsWithFace: 2,
        // 3 seconds with a face: happy, neutral, happy.
        dominantShare: { angry: 0, disgust: 0, fear: 0, happy: 0.6667, sad: 0, surprise: 0, neutral: 0.3333 },
        // Means of P_HAPPY, P_NEUTRAL, P_MIXED; the faceless second 2 does not count.
        meanProbabilities: {
          angry: 0.0333,
          disgust: 0,
          fear: 0.0333,
          happy: 0.5,
          sad: 0.0333,
          surprise: 0.0833,
          neutral: 0.3167,
        },
      },
      {
        id: B,
        name: 'Chen, Bo',
        secondsObserved: 3,
        gaps: { ...NO_GAPS, 'no-face': 1 },
        // 0 + 0.5 + 0.25 = 0.75, rounded to 0.1.
        secondsWithFace: 0.8,
        dominantShare: { angry: 0, disgust: 0, fear: 0, happy: 0.5, sad: 0, surprise: 0, neutral: 0.5 },
        meanProbabilities: { angry: 0.05, disgust: 0, fear: 0, happy: 0.5, sad: 0.05, surprise: 0.025, neutral: 0.375 },
      },
    ],
  });
  assert.ok(meetingSummarySchema.safeParse(summary).success, 'summary matches its own schema');
});

test('buildSummary gives all-zero shares and means to a participant never seen with a face, and null endedAt while running', () => {
  const running: MeetingRecord = { ...MEETING, endedAt: null, participants: [{ id: 'c', name: 'Cam off', isSelf: false }] };
  const summary = buildSummary(running, [
    sec('c', 'Cam off', 0, null, null, 0, 5),
    sec('c', 'Cam off', 1, null, null, 0, 0, 'm-1', 'paused'),
  ]);
  const zeros = { angry: 0, disgust: 0, fear: 0, happy: 0, sad: 0, surprise: 0, neutral: 0 };
  assert.equal(summary.meeting.endedAt, null);
  assert.deepEqual(summary.participants, [
    { id: 'c', name: 'Cam off', secondsObserved: 1, gaps: { ...NO_GAPS, 'no-face': 1, paused: 1 }, secondsWithFace: 0, dominantShare: zeros, meanProbabilities: zeros },
  ]);
  assert.ok(meetingSummarySchema.safeParse(summary).success);
});

test('buildSummary lists a participant missing from the meeting record after the known ones, named by its latest second', () => {
  const summary = buildSummary({ ...MEETING, participants: [MEETING.participants[0]!] }, SECONDS);
  assert.deepEqual(
    summary.participants.map((p) => [p.id, p.name, p.secondsObserved]),
    [
      [A, 'Ana Lima', 4],
      [B, 'Chen, Bo', 3],
    ],
  );
});

const EXPECTED_CSV_LINES = [
  'participant_id,name,second,angry,disgust,fear,happy,sad,surprise,neutral,dominant,face_visible,gap',
  'spaces/x/devices/1,Ana Lima,0,0.0000,0.0000,0.0000,0.8000,0.0000,0.0500,0.1500,happy,1,',
  'spaces/x/devices/1,Ana Lima,1,0.1000,0.0000,0.0000,0.2000,0.1000,0.0000,0.6000,neutral,1,',
  'spaces/x/devices/1,Ana Lima,2,,,,,,,,none,0,frozen',
  'spaces/x/devices/1,Ana Lima,3,0.0000,0.0000,0.1000,0.5000,0.0000,0.2000,0.2000,happy,0,',
  // The rename: every row of this participant carries the latest name, quoted for its comma.
  'spaces/x/devices/2,"Chen, Bo",0,,,,,,,,none,0,no-face',
  'spaces/x/devices/2,"Chen, Bo",1,0.1000,0.0000,0.0000,0.2000,0.1000,0.0000,0.6000,neutral,1,',
  'spaces/x/devices/2,"Chen, Bo",2,0.0000,0.0000,0.0000,0.8000,0.0000,0.0500,0.1500,happy,0,',
];

test('buildTimelineCsv writes one row per participant per second with the latest name', () => {
  const csv = buildTimelineCsv(MEETING, SECONDS);
  assert.deepEqual(csv.split('\r\n'), EXPECTED_CSV_LINES);
});

test('the CSV timeline parses back with papaparse to the same cells', () => {
  const parsed = Papa.parse<Record<string, string>>(buildTimelineCsv(MEETING, SECONDS), { header: true });
  assert.deepEqual(parsed.errors, []);
  assert.deepEqual(parsed.meta.fields, [...TIMELINE_CSV_FIELDS]);
  assert.equal(parsed.data.length, 7);
  assert.deepEqual(parsed.data[5], {
    participant_id: B,
    name: 'Chen, Bo',
    second: '1',
    angry: '0.1000',
    disgust: '0.0000',
    fear: '0.0000',
    happy: '0.2000',
    sad: '0.1000',
    surprise: '0.0000',
    neutral: '0.6000',
    dominant: 'neutral',
    face_visible: '1',
    gap: '',
  });
  // Probabilities of each row with a face sum to 1.
  for (const row of parsed.data.filter((r) => r.dominant !== 'none')) {
    const sum = ['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise', 'neutral'].reduce((s, e) => s + Number(row[e]), 0);
    assert.ok(Math.abs(sum - 1) < 1e-9, `row sums to ${sum}`);
  }
});

test('buildTimelineCsv defuses display names that a spreadsheet would run as formulas', () => {
  const meeting: MeetingRecord = { ...MEETING, participants: [{ id: 'p', name: '=HYPERLINK("x")', isSelf: false }] };
  const csv = buildTimelineCsv(meeting, [sec('p', 'x', 0, null, null, 0)]);
  const [, row] = Papa.parse<string[]>(csv).data;
  assert.equal(row![1], `'=HYPERLINK("x")`);
});

test('buildTimelineCsv of a meeting without seconds is the header alone', () => {
  assert.equal(buildTimelineCsv(MEETING, []), EXPECTED_CSV_LINES[0]);
});
