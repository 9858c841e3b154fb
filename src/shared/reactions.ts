/**
 * Talk time and reactions of a meeting from its per-second records: each participant's
 * speaking turns, and how the others' valence moved while they spoke. Pure functions.
 */
import type { SecondRecord } from './timeline-records.ts';

/** A turn is at least this many seconds long (a shorter burst is a remark, not a turn). */
export const TURN_MIN_SECONDS = 2;
/** Silent gaps of up to this many seconds inside a run of speaking seconds do not end the turn. */
export const TURN_MAX_GAP_SECONDS = 1;
/** Seconds over which a turn's end and what came before it are averaged for the change of valence. */
export const REACTION_SPAN_SECONDS = 3;

/** One speaking turn: seconds `start` to `end` inclusive, since the meeting's start. */
export interface Turn {
  start: number;
  end: number;
}

/**
 * The turns in one participant's records (any order): runs of seconds with `speaking` true,
 * bridging gaps of at most TURN_MAX_GAP_SECONDS, kept when at least TURN_MIN_SECONDS long.
 */
export function speakingTurns(records: readonly SecondRecord[]): Turn[] {
  const spoken = records.filter((r) => r.speaking === true).map((r) => r.second).sort((a, b) => a - b);
  const turns: Turn[] = [];
  let current: Turn | null = null;
  for (const s of spoken) {
    if (current && s - current.end <= TURN_MAX_GAP_SECONDS + 1) current.end = s;
    else turns.push((current = { start: s, end: s }));
  }
  return turns.filter((t) => t.end - t.start + 1 >= TURN_MIN_SECONDS);
}

const mean = (values: readonly number[]): number | null => (values.length ? values.reduce((s, v) => s + v, 0) / values.length : null);

/** What one speaker's turns did to the listeners' valence (export.ts SpeakerReactions, without names). */
export interface TurnReactions {
  turns: number;
  turnSeconds: number;
  listenerValenceMean: number | null;
  listenerValenceChange: number | null;
}

/**
 * The listeners' reactions to `speakerId`'s turns. `valenceAt(second)` of the others is read
 * from `byParticipant` (records per participant id): a second's listener valence is the mean
 * valence of the other participants that have one then. See SpeakerReactions in export.ts.
 * @returns null when the speaker has no turn.
 */
export function reactionsTo(speakerId: string, byParticipant: ReadonlyMap<string, readonly SecondRecord[]>): TurnReactions | null {
  const turns = speakingTurns(byParticipant.get(speakerId) ?? []);
  if (turns.length === 0) return null;
  const sums = new Map<number, { sum: number; n: number }>();
  for (const [id, records] of byParticipant) {
    if (id === speakerId) continue;
    for (const r of records) {
      if (r.valence === null) continue;
      const at = sums.get(r.second) ?? { sum: 0, n: 0 };
      at.sum += r.valence;
      at.n++;
      sums.set(r.second, at);
    }
  }
  const listenerValence = (from: number, to: number): number[] => {
    const out: number[] = [];
    for (let s = from; s <= to; s++) {
      const at = sums.get(s);
      if (at) out.push(at.sum / at.n);
    }
    return out;
  };
  const during: number[] = [];
  const changes: number[] = [];
  for (const t of turns) {
    during.push(...listenerValence(t.start, t.end));
    const end = mean(listenerValence(Math.max(t.start, t.end - REACTION_SPAN_SECONDS + 1), t.end));
    const before = listenerValence(t.start - REACTION_SPAN_SECONDS, t.start - 1);
    const start = mean(before.length ? before : listenerValence(t.start, Math.min(t.end, t.start + REACTION_SPAN_SECONDS - 1)));
    if (end !== null && start !== null) changes.push(end - start);
  }
  return {
    turns: turns.length,
    turnSeconds: turns.reduce((s, t) => s + t.end - t.start + 1, 0),
    listenerValenceMean: mean(during),
    listenerValenceChange: mean(changes),
  };
}
