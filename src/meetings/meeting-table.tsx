/**
 * The Meetings page's table: one row per stored meeting (meeting-rows.ts says what each cell
 * reads), with Open (its report page) and a two-step Delete: the first click asks in the row,
 * the second deletes. No `window.confirm`: the question is part of the page.
 */
import type { MeetingRecord } from '../shared/timeline-store.ts';
import { meetingRow, type MeetingRow } from './meeting-rows.ts';

/** What the table needs from the page. */
export interface MeetingTableProps {
  /** The meetings, newest first. */
  meetings: MeetingRecord[];
  /** Bytes per meeting id (store.meetingBytes()). */
  bytes: ReadonlyMap<string, number>;
  /** The meeting whose deletion is being asked about, or null. */
  confirming: string | null;
  /** True while a deletion runs: every Delete button is disabled. */
  busy: boolean;
  /** First click on a row's Delete. */
  onAsk: (id: string) => void;
  /** "Delete" in the row's question. */
  onConfirm: (id: string) => void;
  /** "Cancel" in the row's question. */
  onCancel: () => void;
}

/** The table (`data-testid="meetings"`), one `meeting-row` per meeting. */
export function MeetingTable(props: MeetingTableProps) {
  return (
    <table class="meetings" data-testid="meetings">
      <thead>
        <tr>
          <th scope="col">Date</th>
          <th scope="col">Started</th>
          <th scope="col">Site</th>
          <th scope="col">Duration</th>
          <th scope="col">Participants</th>
          <th scope="col" class="num">
            Storage
          </th>
          <th scope="col">
            <span class="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {props.meetings.map((m) => (
          <Row key={m.id} row={meetingRow(m, props.bytes.get(m.id))} {...props} />
        ))}
      </tbody>
    </table>
  );
}

function Row({ row, confirming, busy, onAsk, onConfirm, onCancel }: { row: MeetingRow } & MeetingTableProps) {
  const asking = confirming === row.id;
  return (
    <tr data-testid="meeting-row" data-meeting-id={row.id} class={asking ? 'asking' : ''}>
      <td data-testid="meeting-date" class="nowrap">{row.date}</td>
      <td data-testid="meeting-time" class="nowrap">{row.time}</td>
      <td data-testid="meeting-site">{row.site}</td>
      <td data-testid="meeting-duration" class={row.duration === 'running' ? 'nowrap running' : 'nowrap'}>
        {row.duration}
      </td>
      <td data-testid="meeting-participants">{row.participants.length ? row.participants.join(', ') : <span class="muted">none</span>}</td>
      <td data-testid="meeting-size" class="num">
        {row.size}
      </td>
      <td class="actions">
        {asking ? (
          <span class="question" role="group" aria-label="Delete this meeting?">
            <span>{row.duration === 'running' ? 'Stop the analysis and delete this meeting?' : 'Delete this meeting?'}</span>{' '}
            <button type="button" class="danger" data-testid="meeting-delete-confirm" disabled={busy} onClick={() => onConfirm(row.id)}>
              Delete
            </button>{' '}
            <button type="button" data-testid="meeting-delete-cancel" disabled={busy} onClick={onCancel}>
              Cancel
            </button>
          </span>
        ) : (
          <>
            <a class="button" data-testid="meeting-open" href={row.reportHref}>
              Open
            </a>{' '}
            <button type="button" data-testid="meeting-delete" disabled={busy} onClick={() => onAsk(row.id)}>
              Delete…
            </button>
          </>
        )}
      </td>
    </tr>
  );
}
