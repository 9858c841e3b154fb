/**
 * Who is who inside one tile that shows several people (a recording, a webinar, a meeting
 * room): each face found in a frame is assigned to a numbered person of that tile, by
 * position first (the box overlaps or is near where that person was last seen) and by
 * appearance second (a person who left the picture and came back, or moved far between
 * detections). Pure logic, no tfjs: the appearance descriptors come from the analyzer.
 */
import type { Rect } from '../shared/types.ts';
import { iou } from '../inference/geometry.ts';

/** A face to assign: its box (source px) and optional appearance descriptor (see `appearanceDistance`). */
export interface FaceObservation {
  box: Rect;
  /** Small RGB thumbnail of the face box, any fixed length (the analyzer gives 4x4x3 = 48 values in 0..255); null when unknown. */
  appearance: readonly number[] | null;
}

/** One person of the tile as last seen. */
interface PersonSlot {
  /** 1-based number, stable for the tile's life ("person 1", "person 2", ...). */
  n: number;
  box: Rect;
  appearance: number[] | null;
  /** ms (any clock, the caller's) when last assigned a face. */
  lastSeenAt: number;
}

/** Tuning of `FaceIdentities`; defaults in DEFAULT_IDENTITY_OPTIONS. */
export interface IdentityOptions {
  /** Most people remembered per tile; the one unseen longest is forgotten first. */
  maxPeople: number;
  /** A face and a person's last box match by position when their IoU is at least this. */
  minIou: number;
  /** ...or when their centres are closer than this many face widths. */
  maxCentreShift: number;
  /** A face and a person match by appearance when `appearanceDistance` is below this. */
  maxAppearanceDistance: number;
  /** Weight of the newest descriptor in a person's running appearance (exponential average). */
  appearanceRate: number;
}

export const DEFAULT_IDENTITY_OPTIONS: IdentityOptions = {
  maxPeople: 12,
  minIou: 0.2,
  maxCentreShift: 0.75,
  maxAppearanceDistance: 0.35,
  appearanceRate: 0.2,
};

/**
 * Distance in [0, 2] between two appearance descriptors: 1 - Pearson correlation of the
 * values (each descriptor is centred and scaled by its own mean and spread first, so overall
 * brightness changes do not count). Infinity when the lengths differ or either is flat.
 */
export function appearanceDistance(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length || a.length < 2) return Infinity;
  const mean = (v: readonly number[]) => v.reduce((s, x) => s + x, 0) / v.length;
  const ma = mean(a);
  const mb = mean(b);
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < a.length; i++) {
    const da = a[i]! - ma;
    const db = b[i]! - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  if (saa === 0 || sbb === 0) return Infinity;
  return 1 - sab / Math.sqrt(saa * sbb);
}

/** How well a face's box matches a person's last box by position, in (0, 1]; 0 = no match. */
function positionScore(face: Rect, last: Rect, opts: IdentityOptions): number {
  const overlap = iou(face, last);
  if (overlap >= opts.minIou) return overlap;
  const dx = face.x + face.width / 2 - (last.x + last.width / 2);
  const dy = face.y + face.height / 2 - (last.y + last.height / 2);
  const shift = Math.hypot(dx, dy) / Math.max(1, Math.max(face.width, last.width));
  return shift < opts.maxCentreShift ? (opts.minIou * (1 - shift / opts.maxCentreShift)) / 2 : 0;
}

/** The numbered people of one tile. Create one per multi-person tile and call `assign` for each analysed frame. */
export class FaceIdentities {
  private people: PersonSlot[] = [];
  private next = 1;

  constructor(private readonly opts: IdentityOptions = DEFAULT_IDENTITY_OPTIONS) {}

  /**
   * Assigns each face of one frame to a person of the tile: greedily by position score, then
   * the rest by appearance among people not matched yet, then new people. No two faces of a
   * frame get the same person.
   * @param faces the frame's faces (any order).
   * @param now the frame's time, ms.
   * @returns the person number of each face, in the order of `faces`.
   */
  assign(faces: readonly FaceObservation[], now: number): number[] {
    const out: (number | null)[] = faces.map(() => null);
    const taken = new Set<PersonSlot>();
    const pairs: { f: number; p: PersonSlot; score: number }[] = [];
    faces.forEach((face, f) => {
      for (const p of this.people) {
        const score = positionScore(face.box, p.box, this.opts);
        if (score > 0) pairs.push({ f, p, score });
      }
    });
    pairs.sort((a, b) => b.score - a.score);
    for (const { f, p } of pairs) {
      if (out[f] !== null || taken.has(p)) continue;
      out[f] = p.n;
      taken.add(p);
    }
    const byLook: { f: number; p: PersonSlot; d: number }[] = [];
    faces.forEach((face, f) => {
      if (out[f] !== null || !face.appearance) return;
      for (const p of this.people) {
        if (taken.has(p) || !p.appearance) continue;
        const d = appearanceDistance(face.appearance, p.appearance);
        if (d < this.opts.maxAppearanceDistance) byLook.push({ f, p, d });
      }
    });
    byLook.sort((a, b) => a.d - b.d);
    for (const { f, p } of byLook) {
      if (out[f] !== null || taken.has(p)) continue;
      out[f] = p.n;
      taken.add(p);
    }
    faces.forEach((face, f) => {
      let p = out[f] === null ? null : this.people.find((q) => q.n === out[f])!;
      if (!p) {
        p = { n: this.next++, box: face.box, appearance: face.appearance ? [...face.appearance] : null, lastSeenAt: now };
        this.people.push(p);
        out[f] = p.n;
      }
      p.box = face.box;
      p.lastSeenAt = now;
      if (face.appearance) {
        const a = face.appearance;
        const rate = this.opts.appearanceRate;
        p.appearance = p.appearance && p.appearance.length === a.length ? p.appearance.map((v, i) => (1 - rate) * v + rate * a[i]!) : [...a];
      }
    });
    if (this.people.length > this.opts.maxPeople) {
      const current = new Set(out);
      this.people = this.people
        .sort((a, b) => b.lastSeenAt - a.lastSeenAt)
        .filter((p, i) => i < this.opts.maxPeople || current.has(p.n));
    }
    return out as number[];
  }

  /** Numbers of the people remembered, ascending. */
  get known(): number[] {
    return this.people.map((p) => p.n).sort((a, b) => a - b);
  }
}
