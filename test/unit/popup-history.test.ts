/**
 * Proves the sparklines' history: the valence of a probability vector; seeding from stored
 * seconds keeps the last 120 s only, at the right wall-clock seconds, with no-face seconds
 * null; live views add one value per second (the last view of a second counts), a second
 * without a view holds the value shown for up to HOLD_SECONDS, other missing seconds are null
 * (gaps), old seconds drop out; and the popup's hook seeds from the store,
 * adds each live view and moves its clock on once a second (mock timers).
 */
import assert from 'node:assert/strict';
import { makeSecondRecord } from '../../src/shared/timeline-records.ts';
import { afterEach, test } from 'node:test';
import { Window } from 'happy-dom';
import { h, render } from 'preact';
import { act } from 'preact/test-utils';
import { HISTORY_SECONDS, HOLD_SECONDS, SPARK_X, SparkHistory, VALENCE_RANGE, valence } from '../../src/popup/history.ts';
import { valenceArousal } from '../../src/shared/affect.ts';
import { useSparkHistory, type SecondsReader, type SparkClock } from '../../src/popup/use-spark-history.ts';
import { toProbabilities, type Probabilities } from '../../src/shared/emotions.ts';
import type { SecondRecord } from '../../src/shared/timeline-store.ts';
import { DEFAULT_OPTIONS, type AnalysisView, type ParticipantLive } from '../../src/shared/types.ts';

// angry, disgust, fear, happy, sad, surprise, neutral
const HAPPY = toProbabilities([0.05, 0, 0, 0.8, 0.05, 0.05, 0.05]);
const SAD = toProbabilities([0.1, 0.1, 0.1, 0, 0.6, 0, 0.1]);
const START = 1_700_000_000_000; // a whole second
const NOW = START + 600_000;

/** Valence of HAPPY and SAD by the circumplex coordinates (shared/affect.ts), worked out by hand. */
const V_HAPPY = 0.05 * -0.51 + 0.8 * 0.81 + 0.05 * -0.63 + 0.05 * 0.4;
const V_SAD = 0.1 * -0.51 + 0.1 * -0.6 + 0.1 * -0.64 + 0.6 * -0.63;
const round1 = (v: number) => Math.round(v * 10) / 10;

test("valence is affect.ts's circumplex valence: a neutral face is 0, happy highest, fear lowest", () => {
  assert.ok(Math.abs(valence(HAPPY) - V_HAPPY) < 1e-9);
  assert.ok(Math.abs(valence(SAD) - V_SAD) < 1e-9);
  assert.equal(valence(HAPPY), valenceArousal(HAPPY).valence);
  assert.equal(valence(toProbabilities([0, 0, 0, 0, 0, 0, 1])), 0);
  assert.deepEqual(VALENCE_RANGE, [-0.64, 0.81]);
  assert.equal(valence(toProbabilities([0, 0, 0, 1, 0, 0, 0])), VALENCE_RANGE[1]);
  assert.equal(valence(toProbabilities([0, 0, 1, 0, 0, 0, 0])), VALENCE_RANGE[0]);
});

function record(participantId: string, second: number, probabilities: Probabilities | null): SecondRecord {
  return makeSecondRecord({ meetingId: 'm', participantId, name: participantId, second, probabilities, dominant: null, faceSeconds: probabilities ? 1 : 0, samples: 1, gap: probabilities ? null : 'no-face' });
}

function live(id: string, probabilities: Probabilities | null, patch: Partial<ParticipantLive> = {}): ParticipantLive {
  const affect = probabilities ? valenceArousal(probabilities) : null;
  return {
    id,
    name: id,
    isSelf: false,
    analysed: true,
    faceVisible: probabilities !== null,
    probabilities,
    dominant: null,
    confidence: null,
    faceBox: null,
    frameTime: NOW,
    gap: probabilities ? null : 'no-face',
    updateHz: 5,
    qualityLimit: null,
    valence: affect?.valence ?? null,
    arousal: affect?.arousal ?? null,
    attending: null,
    speaking: null,
    speakingSource: null,
    quality: null,
    baseline: null,
    ...patch,
  };
}

test('seeding keeps the last 120 s of stored seconds at their wall-clock second; a no-face second is a gap', () => {
  const history = new SparkHistory();
  const last = (NOW - START) / 1000 - 1; // the last second stored: the one before now
  const records = [record('a', 0, HAPPY), record('a', last - 119, HAPPY), record('a', last - 118, HAPPY), record('a', last - 1, null), record('a', last, SAD)];
  history.seed(records, START, NOW);
  assert.equal(history.size('a'), 3, 'second 0 (ten minutes old) and last-119 (121 s old) are left out');
  const [x, y] = history.series('a', NOW);
  assert.equal(x, SPARK_X);
  assert.equal(x.length, HISTORY_SECONDS);
  assert.deepEqual([x[0], x.at(-1)], [-119, 0]);
  assert.equal(y.at(-1), null, 'now: not stored yet');
  assert.ok(Math.abs(y.at(-2)! - V_SAD) < 1e-9, 'the last stored second, sad');
  assert.equal(y.at(-3), null, 'the no-face second is a gap');
  assert.equal(y.at(-4), null, 'a second with no record at all is a gap');
  assert.ok(Math.abs(y[0]! - V_HAPPY) < 1e-9, 'second last-118 (119 s before now) is the first point');
  assert.equal(y[1], null);
});

test('live views add one value per second, the last of a second counting; gaps stay null; old seconds drop out', () => {
  const history = new SparkHistory();
  history.append([live('a', HAPPY), live('b', null)], NOW + 100);
  history.append([live('a', SAD)], NOW + 900); // the same second: the last view counts
  history.append([live('a', HAPPY, { gap: 'frozen' })], NOW + 2_100); // a gap; no view in the second between
  const [, y] = history.series('a', NOW + 3_000);
  assert.deepEqual(y.slice(-4).map((v) => (v === null ? null : Math.round(v * 10) / 10)), [round1(V_SAD), round1(V_SAD), null, null], 'the second without a view holds the value shown');
  assert.deepEqual(history.series('b', NOW + 3_000)[1].slice(-4), [null, null, null, null]);
  assert.equal(history.size('a'), 3);
  // The seeded value of a second a live view already gave does not replace it.
  history.seed([record('a', (NOW - START) / 1000, HAPPY)], START, NOW + 3_000);
  assert.ok(Math.abs(history.series('a', NOW + 3_000)[1].at(-4)! - V_SAD) < 1e-9);
  // A view after a longer silence than HOLD_SECONDS: the seconds between stay gaps.
  history.append([live('a', SAD)], NOW + 2_100 + (HOLD_SECONDS + 2) * 1000);
  const late = history.series('a', NOW + 2_100 + (HOLD_SECONDS + 2) * 1000)[1];
  assert.deepEqual(late.slice(-(HOLD_SECONDS + 3)).map((v) => v !== null), [false, ...Array(HOLD_SECONDS + 1).fill(false), true]);
  history.append([live('a', HAPPY)], NOW + 121_500);
  assert.equal(history.size('a'), 3, 'the second 119 s back is still in the window');
  history.append([live('a', HAPPY)], NOW + 122_500);
  assert.equal(history.size('a'), 3, 'seconds older than the window are dropped');
  assert.deepEqual(history.series('a', NOW + 122_500)[1].filter((v) => v !== null).length, 3);
});

// The hook, in a component, on mock timers.
const windows: Window[] = [];
afterEach(async () => {
  await Promise.all(windows.splice(0).map((w) => w.happyDOM.close()));
});

function view(patch: Partial<AnalysisView>): AnalysisView {
  return { state: 'running', tabId: 1, meetingId: 'm', options: DEFAULT_OPTIONS, adapter: 'meet', site: 'x', stats: null, participants: [], message: null, liveAt: null, notRecording: null, lastMeetingId: 'm', resumable: false, ...patch };
}

test('the hook seeds from the store, adds each live view, and moves its clock once a second', async (t) => {
  t.mock.timers.enable({ apis: ['setInterval', 'Date'], now: NOW + 200 });
  const asked: string[] = [];
  const read: SecondsReader = async (id) => {
    asked.push(id);
    return { startedAt: START, records: [record('a', (NOW - START) / 1000 - 5, SAD)] };
  };
  let clock: SparkClock | null = null;
  let renders = 0;
  function Probe({ v }: { v: AnalysisView }) {
    clock = useSparkHistory(v, false, read);
    renders++;
    return null;
  }
  const win = new Window();
  windows.push(win);
  const root = win.document.createElement('div') as unknown as Element;
  await act(async () => render(h(Probe, { v: view({ liveAt: NOW + 200, participants: [live('a', HAPPY)] }) }), root));
  await act(async () => {}); // the store read settles
  assert.deepEqual(asked, ['m']);
  const first = clock!;
  let y = first.history.series('a', first.now)[1];
  assert.ok(Math.abs(y.at(-1)! - V_HAPPY) < 1e-9, 'the live view of now');
  assert.ok(Math.abs(y.at(-6)! - V_SAD) < 1e-9, 'the stored second 5 s ago');

  const before = renders;
  await act(async () => t.mock.timers.tick(999));
  assert.equal(renders, before, 'nothing redraws within the second');
  await act(async () => t.mock.timers.tick(1));
  assert.equal(clock!.now, NOW + 1_000, 'the clock moved to the next whole second');
  await act(async () => render(h(Probe, { v: view({ liveAt: NOW + 1_300, participants: [live('a', null)] }) }), root));
  y = clock!.history.series('a', clock!.now)[1];
  assert.equal(y.at(-1), null, 'the faceless second is a gap');
  assert.ok(Math.abs(y.at(-2)! - V_HAPPY) < 1e-9);

  await act(async () => render(h(Probe, { v: view({ state: 'idle', meetingId: null }) }), root));
  await act(async () => t.mock.timers.tick(5_000));
  assert.equal(clock!.now, NOW + 1_000, 'no clock while nothing is analysed');
});
