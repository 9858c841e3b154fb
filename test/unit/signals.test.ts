/**
 * Proves the per-frame and per-second signals: attention from head pose and eye openness (and
 * "can't tell" for faces too poor to judge), speaking by the mouth's movement over a window,
 * the site's indicator winning over the face, a face under the quality threshold reading
 * "can't tell" (no label, no probabilities in the timeline), and the aggregator's per-second
 * attending share, speaking flag, quality and unreadable share.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SecondAggregator } from '../../src/engine/aggregate.ts';
import { Participant } from '../../src/engine/participant.ts';
import { isAttending, SpeakingDetector } from '../../src/engine/signals.ts';
import { DEFAULT_CONFIG } from '../../src/inference/config.ts';
import { faceQuality, QUALITY_RAMPS } from '../../src/inference/face-quality.ts';
import type { FaceAnalysis } from '../../src/inference/types.ts';
import { toProbabilities } from '../../src/shared/emotions.ts';
import { secondRecordSchema } from '../../src/shared/timeline-records.ts';

const SIGNALS = { ...DEFAULT_CONFIG.signals, speakingWindowMs: 1000, speakingMinStd: 0.04 };
const LIVE = { ...DEFAULT_CONFIG.live, minFaceFrames: 1 };
const HAPPY = toProbabilities([0, 0, 0, 0.9, 0, 0, 0.1]);
const START = 1_700_000_000_000;

/** A face with the given pose, eyes and mouth, and a quality from its side, yaw, brightness and sharpness. */
function face(opts: { yaw?: number; pitch?: number; eyes?: number; mouth?: number; side?: number; brightness?: number; sharpness?: number; landmarks?: boolean } = {}): FaceAnalysis {
  const { yaw = 0, pitch = 0, eyes = 0.3, mouth = 0.05, side = 120, landmarks = true } = opts;
  // Defaults well inside every ramp's readable end.
  const { brightness = (QUALITY_RAMPS.dark.one + QUALITY_RAMPS.bright.one) / 2, sharpness = QUALITY_RAMPS.blur.one * 2 } = opts;
  return {
    box: { x: 0, y: 0, width: side, height: side },
    score: 0.95,
    meshScore: 1,
    probabilities: HAPPY,
    signals: landmarks ? { pose: { yaw, pitch, roll: 0 }, eyeOpenness: eyes, mouthOpening: mouth } : null,
    landmarks: null,
    quality: faceQuality(side, landmarks ? yaw : null, brightness, sharpness),
  };
}

const analysed = (f: FaceAnalysis | null) => ({ status: 'analysed' as const, stillMs: 0, smallFace: false, face: f });

test('attending: facing the screen with open eyes; turned away or eyes closed is not; no landmarks or a dark face is "can\'t tell"', () => {
  assert.equal(isAttending(face(), SIGNALS), true);
  assert.equal(isAttending(face({ yaw: 40 }), SIGNALS), false);
  assert.equal(isAttending(face({ pitch: -35 }), SIGNALS), false);
  assert.equal(isAttending(face({ eyes: 0.05 }), SIGNALS), false);
  // Turned so far that the face is unreadable: still judged, not attending.
  assert.equal(isAttending(face({ yaw: 80 }), SIGNALS), false);
  assert.equal(isAttending(face({ landmarks: false }), SIGNALS), null);
  assert.equal(isAttending(face({ brightness: QUALITY_RAMPS.dark.zero / 2 }), SIGNALS), null);
});

test('speaking by face: a mouth that opens and closes over the window speaks; a still one does not; too few frames can\'t tell', () => {
  const talking = new SpeakingDetector(SIGNALS);
  const still = new SpeakingDetector(SIGNALS);
  const out: { talking: (boolean | null)[]; still: (boolean | null)[] } = { talking: [], still: [] };
  for (let k = 0; k < 12; k++) {
    const t = k * 100;
    out.talking.push(talking.push(t, k % 2 ? 0.35 : 0.05));
    out.still.push(still.push(t, 0.05 + (k % 2) * 0.005));
  }
  assert.deepEqual(out.talking.slice(0, 5), [null, null, null, null, null], 'no flag before half a window of frames');
  assert.ok(out.talking.slice(6).every((v) => v === true));
  assert.ok(out.still.slice(6).every((v) => v === false));
  assert.equal(talking.push(1300, null), null, 'a frame without a readable face clears the history');
  assert.equal(talking.push(1400, 0.3), null);
});

test('a face under the quality threshold reads "can\'t tell": no label, no probabilities, the reason kept', () => {
  const p = new Participant('a', 'a', 'Ann', false, LIVE, SIGNALS);
  p.analysed = true;
  const good = p.apply(analysed(face()), START);
  assert.equal(good.gap, null);
  assert.ok(good.probabilities);
  const tiny = p.apply(analysed(face({ side: 20 })), START + 100);
  assert.equal(tiny.gap, 'low-quality');
  assert.equal(tiny.probabilities, null);
  assert.ok(tiny.quality !== null && tiny.quality < SIGNALS.minQuality);
  const view = p.view();
  assert.equal(view.gap, 'low-quality');
  assert.equal(view.qualityLimit, 'size');
  assert.equal(view.dominant, null);
  assert.equal(view.probabilities, null);
  assert.equal(view.valence, null);
  assert.equal(view.faceVisible, true, 'the face is seen, only not readable');
  p.apply(analysed(face()), START + 200);
  const back = p.view();
  assert.equal(back.gap, null);
  assert.equal(back.dominant, 'happy');
  assert.ok(back.valence !== null && back.valence > 0.5);
});

test("the site's indicator decides speaking over the face; without one the face does", () => {
  const p = new Participant('a', 'a', 'Ann', false, LIVE, SIGNALS);
  p.analysed = true;
  const bySite = p.apply(analysed(face()), START, true);
  assert.deepEqual([bySite.speaking, bySite.speakingSource], [true, 'site']);
  const siteSaysNo = p.apply(analysed(null), START + 100, false);
  assert.deepEqual([siteSaysNo.speaking, siteSaysNo.speakingSource, siteSaysNo.attending], [false, 'site', false]);
  const noIndicator = p.apply(analysed(null), START + 200);
  assert.deepEqual([noIndicator.speaking, noIndicator.speakingSource], [null, null]);
});

test('per second: attending share, speaking by majority (the site first), mean quality and unreadable share', () => {
  const agg = new SecondAggregator('m', START);
  const add = (t: number, sample: Parameters<SecondAggregator['add']>[5], readable = true) =>
    agg.add('a', 'Ann', START + t, readable ? HAPPY : null, readable ? 'no-face' : 'low-quality', sample);
  add(100, { attending: true, speaking: true, speakingSource: 'face', quality: 0.9 });
  add(300, { attending: false, speaking: false, speakingSource: 'site', quality: 0.8 });
  add(500, { attending: null, speaking: true, speakingSource: 'face', quality: 0.2 }, false);
  add(700, { attending: true, speaking: null, speakingSource: null, quality: 0.9 });
  const [r] = agg.flush(START + 1000);
  assert.equal(r!.attending, 2 / 3);
  // The one site sample says silent: the site wins over the face's two.
  assert.deepEqual([r!.speaking, r!.speakingSource], [false, 'site']);
  assert.ok(Math.abs(r!.quality! - 0.7) < 1e-12);
  assert.equal(r!.uncertain, 1 / 4);
  assert.ok(Math.abs(r!.faceSeconds - 3 / 4) < 1e-12, 'the unreadable face is not a face with probabilities');
  secondRecordSchema.parse(r);

  const only = new SecondAggregator('m', START);
  only.add('b', 'Bo', START + 100, null, 'low-quality', { attending: null, speaking: null, speakingSource: null, quality: 0.1 });
  only.add('b', 'Bo', START + 200, null, 'low-quality', { attending: null, speaking: null, speakingSource: null, quality: 0.3 });
  const [b] = only.flush(START + 1000);
  assert.equal(b!.gap, 'low-quality');
  assert.equal(b!.probabilities, null);
  assert.equal(b!.valence, null);
  assert.equal(b!.uncertain, 1);
  assert.equal(b!.attending, null);
  assert.equal(b!.speaking, null);
  secondRecordSchema.parse(b);
});

test("the live view shows the site's speaking indicator, with a face or without", () => {
  const p = new Participant('a', 'a', 'Ann', false, LIVE, SIGNALS);
  p.analysed = true;
  p.apply(analysed(face()), START, true);
  assert.deepEqual([p.view().speaking, p.view().speakingSource], [true, 'site']);
  p.apply(analysed(null), START + 100, false);
  assert.deepEqual([p.view().speaking, p.view().speakingSource], [false, 'site']);
});
