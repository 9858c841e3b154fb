/**
 * Proves that the export files carry the exact numbers of a hand-built meeting: per-participant
 * counts, face time, dominant shares and mean probabilities in the summary, one CSV row per
 * participant per second with the latest name, and that the CSV parses back to the same cells.
 */
import { test } from 'node:test';
import { makeSecondRecord } from '../../src/shared/timeline-records.ts';
import assert from 'node:assert/strict';
import Papa from 'papaparse';
import { buildSummary, buildTimelineCsv, TIMELINE_CSV_FIELDS } from '../../src/shared/export.ts';
import { meetingSummarySchema } from '../../src/shared/summary-schema.ts';
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
  signals: Partial<Pick<SecondRecord, 'attending' | 'speaking' | 'speakingSource' | 'quality' | 'uncertain'>> = {},
): SecondRecord {
  return makeSecondRecord({ meetingId, participantId, name, second, probabilities, dominant, faceSeconds, samples, gap, ...signals });
}

/** Signals of a second: attending share, speaking (and by what), quality, unreadable share. */
const sig = (attending: number | null, speaking: boolean | null, quality: number | null, uncertain: number | null = quality === null ? null : 0) => ({
  attending,
  speaking,
  speakingSource: speaking === null ? null : ('site' as const),
  quality,
  uncertain,
});

const NO_GAPS = { 'no-face': 0, 'face-too-small': 0, 'tile-too-small': 0, frozen: 0, black: 0, paused: 0, overloaded: 0, 'not-recording': 0, 'low-quality': 0, 'camera-off': 0 };
const A = 'spaces/x/devices/1';
const B = 'spaces/x/devices/2';

// Deliberately out of order, with one record of another meeting that must be ignored.
const SECONDS: SecondRecord[] = [
  sec(B, 'Chen, Bo', 2, P_HAPPY, 'happy', 0.25, 4, 'm-1', null, sig(1, false, 1)),
  sec(A, 'Ana Lima', 3, P_MIXED, 'happy', 0.4, 5, 'm-1', null, sig(null, false, 0.8, 0.5)),
  sec(A, 'Ana Lima', 0, P_HAPPY, 'happy', 1, 5, 'm-1', null, sig(1, true, 0.9)),
  sec(B, 'Bo', 0, null, null, 0, 3, 'm-1', 'no-face', sig(0, null, null)),
  sec(A, 'Ana Lima', 2, null, null, 0, 4, 'm-1', 'frozen'),
  sec('other', 'Other meeting', 0, P_HAPPY, 'happy', 1, 5, 'm-2'),
  sec(B, 'Bo', 1, P_NEUTRAL, 'neutral', 0.5, 4, 'm-1', null, sig(0.5, false, 0.7)),
  sec(A, 'Ana Lima', 1, P_NEUTRAL, 'neutral', 0.6, 5, 'm-1', null, sig(0.5, true, 0.7)),
];

test('buildSummary gives the exact per-participant numbers of a hand-built meeting', () => {
  const summary = buildSummary(MEETING, SECONDS);
  assert.deepEqual(summary, {
    schemaVersion: 3,
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
        // Valences of P_HAPPY 0.668, P_NEUTRAL 0.048, P_MIXED 0.421; arousals 0.4415, 0.134, 0.449.
        meanValence: 0.379,
        meanArousal: 0.3415,
        // Seconds 0 and 1 judged (1 and 0.5); second 3 could not be.
        attendingShare: 0.75,
        talkSeconds: 2,
        speakingKnownSeconds: 3,
        meanQuality: 0.8,
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
        meanValence: 0.358,
        meanArousal: 0.2878,
        // The faceless second 0 counts as not attending: (0 + 0.5 + 1) / 3.
        attendingShare: 0.5,
        talkSeconds: 0,
        speakingKnownSeconds: 2,
        meanQuality: 0.85,
      },
    ],
    talkTime: [
      { participantId: A, name: 'Ana Lima', seconds: 2, share: 1 },
      { participantId: B, name: 'Chen, Bo', seconds: 0, share: 0 },
    ],
    // Ana's one turn (seconds 0-1): Bo's valence then is only known at second 1 (0.048), and
    // nothing comes before the turn, so its change is 0.
    reactions: [{ speakerId: A, speakerName: 'Ana Lima', turns: 1, turnSeconds: 2, listenerValenceMean: 0.048, listenerValenceChange: 0 }],
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
    {
      id: 'c',
      name: 'Cam off',
      secondsObserved: 1,
      gaps: { ...NO_GAPS, 'no-face': 1, paused: 1 },
      secondsWithFace: 0,
      dominantShare: zeros,
      meanProbabilities: zeros,
      meanValence: null,
      meanArousal: null,
      attendingShare: null,
      talkSeconds: 0,
      speakingKnownSeconds: 0,
      meanQuality: null,
    },
  ]);
  assert.deepEqual(summary.reactions, []);
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
  'participant_id,name,second,angry,disgust,fear,happy,sad,surprise,neutral,dominant,face_visible,gap,valence,arousal,attending,speaking,speaking_source,quality,uncertain',
  'spaces/x/devices/1,Ana Lima,0,0.0000,0.0000,0.0000,0.8000,0.0000,0.0500,0.1500,happy,1,,0.6680,0.4415,1.0000,1,site,0.9000,0.0000',
  'spaces/x/devices/1,Ana Lima,1,0.1000,0.0000,0.0000,0.2000,0.1000,0.0000,0.6000,neutral,1,,0.0480,0.1340,0.5000,1,site,0.7000,0.0000',
  'spaces/x/devices/1,Ana Lima,2,,,,,,,,none,0,frozen,,,,,,,',
  'spaces/x/devices/1,Ana Lima,3,0.0000,0.0000,0.1000,0.5000,0.0000,0.2000,0.2000,happy,0,,0.4210,0.4490,,0,site,0.8000,0.5000',
  // The rename: every row of this participant carries the latest name, quoted for its comma.
  'spaces/x/devices/2,"Chen, Bo",0,,,,,,,,none,0,no-face,,,0.0000,,,,',
  'spaces/x/devices/2,"Chen, Bo",1,0.1000,0.0000,0.0000,0.2000,0.1000,0.0000,0.6000,neutral,1,,0.0480,0.1340,0.5000,0,site,0.7000,0.0000',
  'spaces/x/devices/2,"Chen, Bo",2,0.0000,0.0000,0.0000,0.8000,0.0000,0.0500,0.1500,happy,0,,0.6680,0.4415,1.0000,0,site,1.0000,0.0000',
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
    valence: '0.0480',
    arousal: '0.1340',
    attending: '0.5000',
    speaking: '0',
    speaking_source: 'site',
    quality: '0.7000',
    uncertain: '0.0000',
  });
  // Probabilities of each row with a face sum to 1.
  for (const row of parsed.data.filter((r) => r.gap === '')) {
    const sum = ['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise', 'neutral'].reduce((s, e) => s + Number(row[e]), 0);
    assert.ok(Math.abs(sum - 1) < 1e-9, `row sums to ${sum}`);
  }
});

test('buildTimelineCsv defuses display names that a spreadsheet would run as formulas', () => {
  const meeting: MeetingRecord = { ...MEETING, participants: [{ id: 'p', name: '=HYPERLINK("x")', isSelf: false }] };
  const csv = buildTimelineCsv(meeting, [sec('p', 'x', 0, null, null, 0)]);
  const [, row] = Papa.parse<string[]>(csv).data;
  assert.equal(row![1], `'=HYPERLINK("x")`);
  for (const name of ['-2+3', '+cmd', '@SUM(A1)', '-', '=1']) {
    const [, r] = Papa.parse<string[]>(buildTimelineCsv({ ...MEETING, participants: [{ id: 'p', name, isSelf: false }] }, [sec('p', 'x', 0, null, null, 0)])).data;
    assert.equal(r![1], `'${name}`, `${name} is defused`);
  }
});

test('negative valences stay plain numbers in the CSV', () => {
  const sad: Probabilities = { angry: 0, disgust: 0, fear: 0, happy: 0, sad: 0.9, surprise: 0, neutral: 0.1 };
  const first = Papa.parse<Record<string, string>>(buildTimelineCsv(MEETING, [sec(A, 'Ana Lima', 0, sad, 'sad', 1)]), { header: true }).data[0]!;
  assert.equal(first.valence, '-0.5670');
  assert.equal(first.arousal, '-0.2430');
});

test('buildTimelineCsv of a meeting without seconds is the header alone', () => {
  assert.equal(buildTimelineCsv(MEETING, []), EXPECTED_CSV_LINES[0]);
});

test('a second whose faces were all too poor to read is "uncertain" in the CSV and counted as a low-quality gap', () => {
  const seconds = [sec(A, 'Ana Lima', 0, null, null, 0, 5, 'm-1', 'low-quality', sig(null, null, 0.2, 1))];
  const [, row] = buildTimelineCsv(MEETING, seconds).split('\r\n');
  assert.equal(row, 'spaces/x/devices/1,Ana Lima,0,,,,,,,,uncertain,0,low-quality,,,,,,0.2000,1.0000');
  const ana = buildSummary(MEETING, seconds).participants[0]!;
  assert.equal(ana.gaps['low-quality'], 1);
  assert.equal(ana.meanValence, null);
  assert.equal(ana.meanQuality, 0.2);
});

test('reactions: listeners\' valence during a speaker\'s turns and its change from before the turn to its end', () => {
  const meeting: MeetingRecord = { ...MEETING, participants: [{ id: 's', name: 'Speaker', isSelf: false }, { id: 'l', name: 'Listener', isSelf: false }] };
  const seconds: SecondRecord[] = [];
  const NEUTRAL: Probabilities = { angry: 0, disgust: 0, fear: 0, happy: 0, sad: 0, surprise: 0, neutral: 1 };
  const HAPPY: Probabilities = { angry: 0, disgust: 0, fear: 0, happy: 1, sad: 0, surprise: 0, neutral: 0 };
  for (let t = 0; t < 12; t++) {
    // The speaker talks over seconds 3-8 (a one-second pause at 6 does not end the turn) and
    // once at 11 (too short for a turn); the listener is neutral before and happy from second 6.
    const talking = (t >= 3 && t <= 8 && t !== 6) || t === 11;
    seconds.push(sec('s', 'Speaker', t, NEUTRAL, 'neutral', 1, 5, 'm-1', null, sig(1, talking, 1)));
    const p = t >= 6 ? HAPPY : NEUTRAL;
    seconds.push(sec('l', 'Listener', t, p, t >= 6 ? 'happy' : 'neutral', 1, 5, 'm-1', null, sig(1, false, 1)));
  }
  const summary = buildSummary(meeting, seconds);
  assert.deepEqual(
    summary.talkTime.map((t) => [t.participantId, t.seconds, t.share]),
    [
      ['s', 6, 1],
      ['l', 0, 0],
    ],
  );
  // Turn 3-8: the listener's valence is 0 over 3-5 and 0.81 (happy) over 6-8; before (0-2) it was 0.
  assert.deepEqual(summary.reactions, [{ speakerId: 's', speakerName: 'Speaker', turns: 1, turnSeconds: 6, listenerValenceMean: 0.405, listenerValenceChange: 0.81 }]);
  assert.ok(meetingSummarySchema.safeParse(summary).success);
});
