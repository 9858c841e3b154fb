/**
 * The Meetings page (meetings.html): every stored meeting, newest first, with Open and Delete,
 * Delete all, the storage used, the retention setting and the last daily retention run.
 * Reads and deletes through the timeline store in this page (same extension origin as the
 * background); the retention setting is applied by the background (`bg/set-retention`).
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import browser from 'webextension-polyfill';
import { withTimelineStore, type MeetingRecord } from '../shared/timeline-store.ts';
import { errorText } from '../shared/errors.ts';
import { loadRetentionRun, RETENTION_RUN_KEY, retentionRunText, type RetentionRun } from '../shared/retention-run.ts';
import { RetentionSetting } from '../popup/retention-setting.tsx';
import { MeetingTable } from './meeting-table.tsx';
import { formatBytes, skippedNotice, totalBytes } from './meeting-rows.ts';

/** What the page read from storage. */
interface Stored {
  meetings: MeetingRecord[];
  /** Corrupt meeting records the store skipped. */
  skipped: number;
  bytes: Map<string, number>;
  /** `navigator.storage.estimate().usage` (bytes), null when the browser gives none. */
  usage: number | null;
}

type Load = { state: 'loading' } | { state: 'error'; text: string } | ({ state: 'ready' } & Stored);

/** A line under the heading after an action: what was deleted, or why it could not be. */
interface Outcome {
  text: string;
  error: boolean;
}

async function readStored(): Promise<Stored> {
  const { meetings, skipped, bytes } = await withTimelineStore(async (store) => {
    const { records, skipped } = await store.listMeetings();
    return { meetings: records, skipped, bytes: await store.meetingBytes() };
  });
  const usage = await navigator.storage
    .estimate()
    .then((e) => e.usage ?? null)
    .catch(() => null);
  return { meetings, skipped, bytes, usage };
}

/** The page. */
export function MeetingsApp() {
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  const [confirming, setConfirming] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [run, setRun] = useState<RetentionRun | undefined>(undefined);

  const reload = useCallback(() => {
    readStored().then(
      (stored) => setLoad({ state: 'ready', ...stored }),
      (err: unknown) => setLoad({ state: 'error', text: errorText(err) }),
    );
  }, []);

  useEffect(() => {
    reload();
    loadRetentionRun().then(setRun, () => setRun(undefined));
    // The daily run may happen while the page is open: show it, and the list without what it deleted.
    const changed = (changes: Record<string, unknown>, area: string): void => {
      if (area !== 'local' || !(RETENTION_RUN_KEY in changes)) return;
      loadRetentionRun().then(setRun, () => setRun(undefined));
      reload();
    };
    browser.storage.onChanged.addListener(changed);
    return () => browser.storage.onChanged.removeListener(changed);
  }, [reload]);

  const deleteOne = async (id: string): Promise<void> => {
    setBusy(true);
    const meeting = load.state === 'ready' ? load.meetings.find((m) => m.id === id) : undefined;
    try {
      const { seconds } = await withTimelineStore((store) => store.deleteMeeting(id));
      setOutcome({ text: `Deleted the meeting on ${meeting?.site ?? 'an unknown site'} (${seconds} seconds of data).`, error: false });
    } catch (err) {
      setOutcome({ text: `Could not delete the meeting: ${errorText(err)}`, error: true });
    } finally {
      setConfirming(null);
      setBusy(false);
      reload();
    }
  };

  const deleteAll = async (): Promise<void> => {
    setBusy(true);
    try {
      const { meetings, seconds } = await withTimelineStore((store) => store.deleteAllMeetings());
      setOutcome({ text: `Deleted ${meetings} ${meetings === 1 ? 'meeting' : 'meetings'} (${seconds} seconds of data).`, error: false });
    } catch (err) {
      setOutcome({ text: `Could not delete the meetings: ${errorText(err)}`, error: true });
    } finally {
      setConfirming(null);
      setBusy(false);
      reload();
    }
  };

  const ask = (id: string): void => {
    setOutcome(null);
    setConfirming(id);
  };

  return (
    <main class="page">
      <header>
        <h1>CallMood meetings</h1>
        <p class="muted">Stored only in this browser. Open one to see its report, or delete it.</p>
      </header>
      {outcome && (
        <p class={outcome.error ? 'error' : 'note'} data-testid="meetings-status" role="status">
          {outcome.text}
        </p>
      )}
      <Body load={load} confirming={confirming} busy={busy} onAsk={ask} onConfirm={(id) => void deleteOne(id)} onCancel={() => setConfirming(null)} />
      {load.state === 'ready' && load.meetings.length + load.skipped > 0 && (
        <p class="delete-all">
          {confirming === 'all' ? (
            <span class="question" role="group" aria-label="Delete every meeting?">
              <span>Delete every stored meeting? This cannot be undone.</span>{' '}
              <button type="button" class="danger" data-testid="delete-all-confirm" disabled={busy} onClick={() => void deleteAll()}>
                Delete all
              </button>{' '}
              <button type="button" data-testid="delete-all-cancel" disabled={busy} onClick={() => setConfirming(null)}>
                Cancel
              </button>
            </span>
          ) : (
            <button type="button" data-testid="delete-all" disabled={busy} onClick={() => ask('all')}>
              Delete all…
            </button>
          )}
        </p>
      )}
      <section class="retention-panel" aria-label="Retention">
        <h2>Retention</h2>
        <RetentionSetting onApplied={reload} />
        <p class="muted" data-testid="retention-run">
          {retentionRunText(run)}
        </p>
        <p class="muted">Meetings that ended longer ago than this are deleted when the browser starts, when you change the setting, and once a day.</p>
      </section>
    </main>
  );
}

function Body({ load, ...table }: { load: Load; confirming: string | null; busy: boolean; onAsk: (id: string) => void; onConfirm: (id: string) => void; onCancel: () => void }) {
  if (load.state === 'loading') return <p class="muted">Reading the stored meetings…</p>;
  if (load.state === 'error')
    return (
      <p class="error" data-testid="meetings-error" role="alert">
        Could not read the stored meetings: {load.text}
      </p>
    );
  const skipped = skippedNotice(load.skipped);
  const sum = totalBytes(load.bytes);
  return (
    <>
      {skipped && (
        <p class="warning" data-testid="meetings-skipped" role="status">
          {skipped}
        </p>
      )}
      {load.meetings.length === 0 ? (
        <p class="empty" data-testid="meetings-empty">
          No meetings stored yet. Start CallMood on a call from its toolbar button; the meeting shows up here.
        </p>
      ) : (
        <MeetingTable meetings={load.meetings} bytes={load.bytes} {...table} />
      )}
      <p class="muted" data-testid="storage-total">
        {load.meetings.length} {load.meetings.length === 1 ? 'meeting takes' : 'meetings take'} {formatBytes(sum)}
        {load.usage !== null && <>; the browser counts {formatBytes(load.usage)} of storage for CallMood in all (database overhead included)</>}.
      </p>
    </>
  );
}
