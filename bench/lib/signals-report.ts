/**
 * The half-B report, the head-pose figures and the printed tables of
 * `npm run bench:signals-images` (docs/signals-protocol.md). Pure apart from console output.
 */
import type { PageFace, Variant } from './signals-page.ts';
import { accuracyOf, agreementOf, angleDiff, copyTable, errorSummary, limitingFactor, scoreWith, type Accuracy, type CopyRecord, type CopyRow, type Ramps, type ThresholdRow } from './signals-stats.ts';

/** One image's analysis: its set, half, label, one face (or null) per variant, human's yaw of the original (radians, human's sign). */
export interface ImageRun {
  set: 'lfw' | 'fer';
  half: 'A' | 'B';
  label: string;
  faces: (PageFace | null)[];
  humanYaw: number | null;
}

/** Accuracy above and below the threshold of one group of B records. */
export interface SplitFigures {
  found: number;
  above: Accuracy;
  below: Accuracy;
  undegradedBelowShare: number;
}

function split(records: readonly CopyRecord[], ramps: Ramps, t: number): SplitFigures {
  const found = records.filter((r) => r.found);
  const orig = found.filter((r) => r.kind === 'orig');
  return {
    found: found.length,
    above: accuracyOf(found.filter((r) => scoreWith(ramps, r) >= t)),
    below: accuracyOf(found.filter((r) => scoreWith(ramps, r) < t)),
    undegradedBelowShare: orig.filter((r) => scoreWith(ramps, r) < t).length / orig.length,
  };
}

/** Half-B figures (records of the quality set, half B) for `ramps` and threshold `t`: per set and pooled, and per copy. */
export function halfBReport(b: readonly CopyRecord[], ramps: Ramps, t: number): { lfw: SplitFigures; fer: SplitFigures; pooled: SplitFigures; copies: CopyRow[] } {
  return {
    lfw: split(b.filter((r) => r.set === 'lfw'), ramps, t),
    fer: split(b.filter((r) => r.set === 'fer'), ramps, t),
    pooled: split(b, ramps, t),
    copies: copyTable(b, ramps, t, (r) => limitingFactor(ramps, r)),
  };
}

/** Roll error per applied angle and pooled, and our yaw against human's (both in degrees, human's sign reversed). */
export interface PoseFigures {
  roll: { angle: number | 'all'; n: number; medianAbs: number; p90Abs: number; meanSigned: number }[];
  frontalOriginals: number;
  yaw: { source: string; n: number; meanAbs: number; medianAbs: number; pearson: number; slope: number }[];
}

/**
 * Head-pose figures: roll error of the rotated copies (±10, ±20, ±30) of originals with
 * |yaw| < 15 degrees; our yaw against −human's on the LFW originals and the clip's frames.
 */
export function poseFigures(runs: readonly ImageRun[], variants: readonly Variant[], frames: readonly { ours: number | null; human: number | null }[]): PoseFigures {
  const angles = [-30, -20, -10, 10, 20, 30];
  const byAngle = new Map<number, number[]>(angles.map((a) => [a, []]));
  let frontalOriginals = 0;
  for (const run of runs) {
    const o = run.faces[0]?.pose;
    if (!o || Math.abs(o.yaw) >= 15) continue;
    frontalOriginals++;
    variants.forEach((v, k) => {
      const c = run.faces[k]?.pose;
      if (v.kind === 'rotate' && byAngle.has(v.value) && c) byAngle.get(v.value)!.push(angleDiff(angleDiff(c.roll, o.roll), v.value));
    });
  }
  const roll = [...angles.map((angle) => ({ angle, ...errorSummary(byAngle.get(angle)!) })), { angle: 'all' as const, ...errorSummary([...byAngle.values()].flat()) }];
  const deg = (rad: number) => (-rad * 180) / Math.PI;
  const lfwPairs = runs.filter((r) => r.set === 'lfw' && r.faces[0]?.pose && r.humanYaw !== null).map((r) => [r.faces[0]!.pose!.yaw, deg(r.humanYaw!)] as [number, number]);
  const clipPairs = frames.filter((f) => f.ours !== null && f.human !== null).map((f) => [f.ours!, deg(f.human!)] as [number, number]);
  const yaw = [
    { source: 'LFW photos', pairs: lfwPairs },
    { source: 'WolfgangLanger clip, every 0.25 s', pairs: clipPairs },
    { source: 'both', pairs: [...lfwPairs, ...clipPairs] },
  ]
    .filter((y) => y.pairs.length > 2)
    .map((y) => ({ source: y.source, ...agreementOf(y.pairs) }));
  return { roll, frontalOriginals, yaw };
}

const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)} %` : '-');
const acc = (a: Accuracy) => (a.n ? `${pct(a.accuracy)} [${(100 * a.ci[0]).toFixed(1)}, ${(100 * a.ci[1]).toFixed(1)}] n=${a.n}` : 'n=0');

/** Prints the tables of a report (the object bench/signals-images.ts writes). */
export function printReport(r: {
  scoreCheck: { recomputedMismatches: number };
  calibration: Record<string, { zero: number; one: number; measuredZero: number; measuredOne: number; zeroFrom: string; nZero: number; kept: boolean }>;
  ramps: Ramps;
  thresholdCandidatesA: ThresholdRow[];
  minQuality: number;
  halfB: ReturnType<typeof halfBReport>;
  headPose: PoseFigures;
}): void {
  console.log(`\nScores recomputed in Node that differ from the page's: ${r.scoreCheck.recomputedMismatches}`);
  console.log('\nRamp ends (rule 1, A halves):');
  for (const [k, c] of Object.entries(r.calibration)) console.log(`  ${k.padEnd(5)} zero ${c.zero} (median at ${c.zeroFrom} ${c.measuredZero.toFixed(1)}, n=${c.nZero}), one ${c.one} (${c.measuredOne.toFixed(1)})${c.kept ? ' (guess kept)' : ''}`);
  console.log(`  yaw one ${r.ramps.yaw.one} zero ${r.ramps.yaw.zero}, bright one ${r.ramps.bright.one} zero ${r.ramps.bright.zero} (not calibrated)`);
  console.log('\nThreshold candidates (rule 2, A halves, found faces of the quality set):');
  console.log('  t    accuracy above                 accuracy below                 gap      undegraded kept');
  for (const row of r.thresholdCandidatesA) {
    console.log(`  ${row.t.toFixed(1)}  ${acc(row.above).padEnd(30)} ${acc(row.below).padEnd(30)} ${(100 * row.gap).toFixed(1).padStart(6)}   ${pct(row.undegradedKept)}${row.eligible ? '' : ' (not eligible)'}`);
  }
  console.log(`  chosen minQuality: ${r.minQuality}`);
  console.log(`\nHalf B at minQuality ${r.minQuality}:`);
  for (const k of ['lfw', 'fer', 'pooled'] as const) {
    const s = r.halfB[k];
    console.log(`  ${k.padEnd(6)} above ${acc(s.above)}; below ${acc(s.below)}; undegraded below ${pct(s.undegradedBelowShare)}`);
  }
  console.log('\n  copy          n     found    below t   accuracy  median side/gray/sharpness  below t limited by');
  for (const c of r.halfB.copies) {
    const lim = Object.entries(c.limitedBy).map(([f, n]) => `${f} ${n}`).join(', ');
    console.log(`  ${c.copy.padEnd(12)} ${String(c.n).padStart(4)}  ${pct(c.foundRate).padStart(8)}  ${pct(c.belowShare).padStart(8)}  ${pct(c.accuracy).padStart(8)}  ${`${c.median.sidePx.toFixed(0)} / ${c.median.brightness.toFixed(0)} / ${c.median.sharpness.toFixed(0)}`.padEnd(26)}  ${lim}`);
  }
  console.log(`\nRoll error, degrees (rotated copies of ${r.headPose.frontalOriginals} originals with |yaw| < 15):`);
  for (const e of r.headPose.roll) console.log(`  ${String(e.angle).padStart(4)}: median |e| ${e.medianAbs.toFixed(2)}, p90 ${e.p90Abs.toFixed(2)}, mean ${e.meanSigned.toFixed(2)}, n=${e.n}`);
  console.log('\nYaw: ours against −(human rotation.angle.yaw), degrees:');
  for (const y of r.headPose.yaw) console.log(`  ${y.source}: mean |d| ${y.meanAbs.toFixed(2)}, median |d| ${y.medianAbs.toFixed(2)}, r ${y.pearson.toFixed(3)}, slope ${y.slope.toFixed(2)}, n=${y.n}`);
}
