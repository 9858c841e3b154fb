/**
 * Pure helpers of the timeline store over stored records: merging participant lists, the order
 * of second records, grouping raw records by meeting and sizing them.
 */
import type { MeetingParticipant, SecondRecord } from './timeline-records.ts';

/**
 * `existing` with `incoming` merged in: a known id takes the incoming name and self flag (an
 * excluded participant stays excluded and unnamed), an unknown id is appended. Pure.
 */
export function mergeParticipants(existing: readonly MeetingParticipant[], incoming: readonly MeetingParticipant[]): MeetingParticipant[] {
  const merged = existing.map((p) => ({ ...p }));
  const byId = new Map(merged.map((p) => [p.id, p]));
  for (const p of incoming) {
    const known = byId.get(p.id);
    if (known) {
      if (known.excluded) continue;
      known.name = p.name;
      known.isSelf = p.isSelf;
    } else {
      const added = { id: p.id, name: p.name, isSelf: p.isSelf };
      merged.push(added);
      byId.set(p.id, added);
    }
  }
  return merged;
}

/** Stored chunk and pending records grouped by their `meetingId` (records without one under ''). */
export function groupByMeeting(chunks: readonly unknown[], pending: readonly unknown[]): Map<string, [unknown[], unknown[]]> {
  const groups = new Map<string, [unknown[], unknown[]]>();
  const add = (record: unknown, at: 0 | 1) => {
    const id = (record as { meetingId?: unknown } | null)?.meetingId;
    const key = typeof id === 'string' ? id : '';
    const group = groups.get(key) ?? [[], []];
    group[at].push(record);
    groups.set(key, group);
  };
  for (const c of chunks) add(c, 0);
  for (const p of pending) add(p, 1);
  return groups;
}

/** Bytes of a stored chunk or pending record: its typed arrays plus its key fields. */
export function recordBytes(record: unknown): number {
  if (typeof record !== 'object' || record === null) return 0;
  let n = 0;
  for (const value of Object.values(record)) n += ArrayBuffer.isView(value) ? value.byteLength : typeof value === 'string' ? value.length : 8;
  return n;
}

/** Order of second records: by participant id (code units, as IndexedDB orders string keys), then second. */
export function compareSeconds(a: SecondRecord, b: SecondRecord): number {
  if (a.participantId !== b.participantId) return a.participantId < b.participantId ? -1 : 1;
  return a.second - b.second;
}

