/**
 * The participants the user excluded from the meeting being analysed (`bg/exclude-participant`),
 * kept by the background so that a restarted host (the same meeting) is told them again, and
 * so that a live update made before the host heard of an exclusion never shows them.
 */
import { isExcludedId } from '../shared/excluded-ids.ts';
import type { ParticipantLive } from '../shared/types.ts';


/** The excluded participant ids of one meeting at a time; a new meeting starts with none. */
export class Exclusions {
  private meetingId: string | null = null;
  private ids = new Set<string>();

  /** The ids excluded from meeting `meetingId` (none for any other meeting). */
  of(meetingId: string): string[] {
    return meetingId === this.meetingId ? [...this.ids] : [];
  }

  /** Adds `participantId` to meeting `meetingId`'s exclusions (forgetting another meeting's). */
  add(meetingId: string, participantId: string): void {
    if (meetingId !== this.meetingId) {
      this.meetingId = meetingId;
      this.ids = new Set();
    }
    this.ids.add(participantId);
  }

  /** `participants` less those excluded from meeting `meetingId`; the same array when none is. */
  filter(meetingId: string, participants: ParticipantLive[]): ParticipantLive[] {
    if (meetingId !== this.meetingId || this.ids.size === 0) return participants;
    return participants.filter((p) => !isExcludedId(p.id, this.ids));
  }
}
