/**
 * The Meetings page's body for each state of reading the store: reading, a storage error in
 * words, or the list (the table, or the empty state) with the damaged-records notice and the
 * storage used. Never blank: every state says something.
 */
import type { MeetingRecord } from '../shared/timeline-store.ts';
import { MeetingTable } from './meeting-table.tsx';
import { formatBytes, skippedNotice, totalBytes } from './meeting-rows.ts';

/** What the page read from storage. */
export interface Stored {
  /** Valid meetings, newest first. */
  meetings: MeetingRecord[];
  /** Corrupt meeting records the store skipped. */
  skipped: number;
  /** Bytes per meeting id (store.meetingBytes()). */
  bytes: Map<string, number>;
  /** `navigator.storage.estimate().usage` in bytes; null when the browser gives none. */
  usage: number | null;
}

/** Where reading the store stands: `text` is the error's message for the user. */
export type Load = { state: 'loading' } | { state: 'error'; text: string } | ({ state: 'ready' } & Stored);

/** The body's props: the load state, and the table's question and handlers (see MeetingTable). */
export interface MeetingsBodyProps {
  load: Load;
  confirming: string | null;
  busy: boolean;
  onAsk: (id: string) => void;
  onConfirm: (id: string) => void;
  onCancel: () => void;
}

/** The body for `load`. */
export function MeetingsBody({ load, ...table }: MeetingsBodyProps) {
  if (load.state === 'loading') return <p class="muted">Reading the stored meetings…</p>;
  if (load.state === 'error')
    return (
      <p class="error" data-testid="meetings-error" role="alert">
        Could not read the stored meetings: {load.text}
      </p>
    );
  const skipped = skippedNotice(load.skipped);
  const count = load.meetings.length;
  return (
    <>
      {skipped && (
        <p class="warning" data-testid="meetings-skipped" role="status">
          {skipped}
        </p>
      )}
      {count === 0 ? (
        <p class="empty" data-testid="meetings-empty">
          No meetings stored yet. Start CallMood on a call from its toolbar button; the meeting shows up here.
        </p>
      ) : (
        <MeetingTable meetings={load.meetings} bytes={load.bytes} {...table} />
      )}
      <p class="muted" data-testid="storage-total">
        {count} {count === 1 ? 'meeting takes' : 'meetings take'} {formatBytes(totalBytes(load.bytes))}
        {load.usage !== null && <>; the browser counts {formatBytes(load.usage)} of storage for CallMood in all (database overhead included)</>}.
      </p>
    </>
  );
}
