/**
 * The pure figures of `npm run bench:detect` (bench/detect.ts): the found-face criterion, the
 * median, the candidates and the choice of bench/DETECTION-PROTOCOL.md.
 */
import { join, resolve } from 'node:path';
import type { ConfigOverrides, InferenceConfig } from '../../src/inference/config.ts';
import type { Rect } from '../../src/shared/types.ts';
import { ROOT } from '../../scripts/lib/call-session.ts';

/**
 * The detector the protocol started from (C0): every candidate is this plus its own changes,
 * so that the figures stay those of the protocol after a winner becomes the default.
 */
export const PROTOCOL_BASE = {
  detector: { minFaceScore: 0.5, singleFaceBoxes: 6, confirmBelowScore: 0 },
  mesh: { verify: true, minScore: 0.9, refitMinScore: 0.9, verifyLayout: false, rescueScale: 0 },
} as const satisfies ConfigOverrides;

/** PROTOCOL_BASE with `changes` on top, stage by stage. */
function onBase(changes: { detector?: Partial<InferenceConfig['detector']>; mesh?: Partial<InferenceConfig['mesh']> }): ConfigOverrides {
  return { detector: { ...PROTOCOL_BASE.detector, ...changes.detector }, mesh: { ...PROTOCOL_BASE.mesh, ...changes.mesh } };
}

/** The candidates of bench/DETECTION-PROTOCOL.md; C0 is the detector before it (mesh >= 0.9, no second chance). */
export const CANDIDATES: { id: string; what: string; overrides: ConfigOverrides }[] = [
  { id: 'C0', what: 'baseline (mesh >= 0.9)', overrides: onBase({}) },
  { id: 'C1', what: 'mesh >= 0.7', overrides: onBase({ mesh: { minScore: 0.7, refitMinScore: 0.7 } }) },
  { id: 'C2', what: 're-fit from 0.5', overrides: onBase({ mesh: { refitMinScore: 0.5 } }) },
  { id: 'C3', what: 'rescue 2.0', overrides: onBase({ mesh: { rescueScale: 2.0 } }) },
  { id: 'C4', what: 'rescue 2.0, box >= 0.3', overrides: onBase({ detector: { minFaceScore: 0.3 }, mesh: { rescueScale: 2.0 } }) },
  { id: 'C5', what: 'rescue 2.4, box >= 0.2', overrides: onBase({ detector: { minFaceScore: 0.2 }, mesh: { rescueScale: 2.4 } }) },
  { id: 'C6', what: 'C5 + layout check', overrides: onBase({ detector: { minFaceScore: 0.2 }, mesh: { rescueScale: 2.4, verifyLayout: true } }) },
  { id: 'C7', what: 'rescue 2.4, mesh >= 0.95', overrides: onBase({ mesh: { rescueScale: 2.4, minScore: 0.95, refitMinScore: 0.95 } }) },
  { id: 'C8', what: 'C7, box >= 0.4', overrides: onBase({ detector: { minFaceScore: 0.4 }, mesh: { rescueScale: 2.4, minScore: 0.95, refitMinScore: 0.95 } }) },
];

/** Where the photos come from. */
export const LFW_DIR = resolve(process.env.CALLMOOD_LFW ?? join(ROOT, '../shared/data/lfw-expressions'));

/** Whether a box's centre lies in the middle 40 % of a width x height picture on both axes. Pure. */
export function centred(box: Rect, width: number, height: number, margin = 0.3): boolean {
  const cx = (box.x + box.width / 2) / width;
  const cy = (box.y + box.height / 2) / height;
  return cx >= margin && cx <= 1 - margin && cy >= margin && cy <= 1 - margin;
}

/** Median of `values` (NaN when empty). Pure. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** One candidate's figures. */
export interface CandidateFigures {
  id: string;
  what: string;
  /** Whether its detector and mesh settings are the shipped defaults. */
  shipped: boolean;
  found: { all: number; A: number; B: number };
  /** Photos with a kept box that is not centred (a false face on the photo). */
  offCentre: number;
  falseFaces: { no_face: number; titles: number; generated: number; byKind: Record<string, number> };
  cost: { medianMs: number; ratio: number; lfwMedianMs: number; negativeMedianMs: number };
  eligible: boolean;
}

/**
 * The protocol's choice (bench/DETECTION-PROTOCOL.md): eligible = 0 false faces anywhere and
 * median cost <= 1.20 x C0's; the most found on half A wins (tie: lower cost); it is adopted
 * when it finds at least 2 more half-A photos than C0. Pure; `figures[0]` is C0.
 */
export function choose(figures: readonly CandidateFigures[]): { winner: string; adopt: boolean; why: string } {
  const base = figures[0]!;
  const eligible = figures.filter((f) => f.falseFaces.no_face + f.falseFaces.titles + f.falseFaces.generated === 0 && f.cost.ratio <= 1.2);
  if (eligible.length === 0) return { winner: base.id, adopt: false, why: 'no candidate is eligible (0 false faces, cost <= 1.20 x)' };
  const best = [...eligible].sort((a, b) => b.found.A - a.found.A || a.cost.medianMs - b.cost.medianMs)[0]!;
  const gain = best.found.A - base.found.A;
  if (best.id === base.id) return { winner: base.id, adopt: false, why: 'the baseline finds the most half-A photos among the eligible' };
  return { winner: best.id, adopt: gain >= 2, why: `${best.id} finds ${gain} more half-A photos than ${base.id} (adopted at >= 2)` };
}
