/**
 * Names the user gave participants by hand (`bg/rename-participant`), which win over the names
 * the page shows: applied to every tile snapshot before the analysis host sees it, so the live
 * view, the overlays, the per-second records and the meeting's participant list all carry them.
 * Pure.
 */
import type { ParticipantLive, TilesSnapshot } from '../shared/types.ts';

/** Longest name kept, characters (as the adapters' `cleanName`). */
export const MAX_NAME = 80;

/** A name as typed, for keeping: whitespace collapsed and trimmed, at most MAX_NAME characters; '' means "back to the page's name". */
export function cleanTypedName(name: string): string {
  return name.replace(/\s+/g, ' ').trim().slice(0, MAX_NAME);
}

/** `names` with participant `id` named `name` (cleaned); an empty name removes the entry. A new object. */
export function withRename(names: Readonly<Record<string, string>> | undefined, id: string, name: string): Record<string, string> {
  const next = { ...names };
  const clean = cleanTypedName(name);
  if (clean) next[id] = clean;
  else delete next[id];
  return next;
}

/** `snapshot` with each tile named by hand renamed; the same object when none is. */
export function applyNames(snapshot: TilesSnapshot, names: Readonly<Record<string, string>> | undefined): TilesSnapshot {
  if (!names || !snapshot.tiles.some((t) => names[t.id] !== undefined && (names[t.id] !== t.name || t.nameFrom !== 'hand'))) return snapshot;
  return { ...snapshot, tiles: snapshot.tiles.map((t) => (names[t.id] !== undefined ? { ...t, name: names[t.id]!, nameFrom: 'hand' } : t)) };
}

/** `participants` with each one named by hand renamed (the live view until the host's next update); the same array when none is. */
export function applyLiveNames(participants: ParticipantLive[], names: Readonly<Record<string, string>> | undefined): ParticipantLive[] {
  if (!names || !participants.some((p) => names[p.id] !== undefined && (names[p.id] !== p.name || p.nameFrom !== 'hand'))) return participants;
  return participants.map((p) => (names[p.id] !== undefined ? { ...p, name: names[p.id]!, nameFrom: 'hand' as const } : p));
}
