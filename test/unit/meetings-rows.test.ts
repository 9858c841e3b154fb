/**
 * Proves what the Meetings page shows of a meeting: durations and sizes as people read them
 * (unit boundaries included), "running" for a meeting without an end, excluded participants
 * left out, the report link with the id URI-encoded, the date and time in the given locale and
 * time zone, the corrupt-records notice; and that the rendered table (happy-dom) carries those
 * texts, one row per meeting in the order given, and asks before deleting (saying that a running
 * analysis stops first); the page body shows a storage error, the damaged-records notice beside
 * the empty state, and the storage total.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { Window } from 'happy-dom';
import { h, render } from 'preact';
import { act } from 'preact/test-utils';
import { formatBytes, formatDuration, meetingRow, participantNames, reportHref, skippedNotice, totalBytes } from '../../src/meetings/meeting-rows.ts';
import { MeetingTable } from '../../src/meetings/meeting-table.tsx';
import { MeetingsBody, type Load } from '../../src/meetings/meetings-body.tsx';
import type { MeetingRecord } from '../../src/shared/timeline-store.ts';

const START = Date.UTC(2025, 2, 1, 14, 5, 0); // 1 March 2025, 14:05 UTC

function meeting(patch: Partial<MeetingRecord> = {}): MeetingRecord {
  return {
    schemaVersion: 1,
    id: 'm-1',
    site: 'meet.google.com',
    adapter: 'meet',
    startedAt: START,
    endedAt: START + 3_727_000,
    participants: [
      { id: 'a', name: 'Ada', isSelf: true },
      { id: 'b', name: '', isSelf: false, excluded: true },
      { id: 'c', name: 'Grace', isSelf: false },
    ],
    ...patch,
  };
}

test('durations: seconds below a minute, minutes and seconds below an hour, hours and minutes above', () => {
  assert.equal(formatDuration(0), '0 s');
  assert.equal(formatDuration(999), '0 s');
  assert.equal(formatDuration(42_000), '42 s');
  assert.equal(formatDuration(59_999), '59 s');
  assert.equal(formatDuration(60_000), '1 min 00 s');
  assert.equal(formatDuration(187_000), '3 min 07 s');
  assert.equal(formatDuration(3_599_000), '59 min 59 s');
  assert.equal(formatDuration(3_600_000), '1 h 00 min');
  assert.equal(formatDuration(3_727_000), '1 h 02 min');
  assert.equal(formatDuration(26 * 3_600_000), '26 h 00 min');
  assert.equal(formatDuration(-5_000), '0 s', 'a clock set back reads 0, not a negative time');
  assert.equal(formatDuration(Number.NaN), '0 s');
});

test('sizes: bytes, kB with a decimal below 100 kB, whole kB, MB, GB (decimal units)', () => {
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(999), '999 B');
  assert.equal(formatBytes(1000), '1.0 kB');
  assert.equal(formatBytes(1_234), '1.2 kB');
  assert.equal(formatBytes(99_949), '99.9 kB');
  assert.equal(formatBytes(123_456), '123 kB');
  assert.equal(formatBytes(999_499), '999 kB');
  assert.equal(formatBytes(3_400_000), '3.4 MB');
  assert.equal(formatBytes(1_200_000_000), '1.20 GB');
  assert.equal(formatBytes(-1), '0 B');
});

test('a row: date and time in the locale, site, duration, named participants without the excluded one, size and report link', () => {
  const row = meetingRow(meeting(), 12_345, 'en-US', 'UTC');
  assert.equal(row.date, 'Mar 1, 2025');
  assert.match(row.time, /^2:05\sPM$/);
  assert.equal(row.site, 'meet.google.com');
  assert.equal(row.duration, '1 h 02 min');
  assert.deepEqual(row.participants, ['Ada', 'Grace'], 'the excluded participant is not listed');
  assert.equal(row.size, '12.3 kB');
  assert.equal(row.reportHref, 'report.html?meeting=m-1');
  const de = meetingRow(meeting(), 12_345, 'de-DE', 'Europe/Berlin');
  assert.equal(de.date, '01.03.2025');
  assert.equal(de.time, '15:05', 'the time zone moves the hour');
});

test('a meeting without an end reads "running"; unknown bytes read "unknown"', () => {
  const row = meetingRow(meeting({ endedAt: null }), undefined, 'en-US', 'UTC');
  assert.equal(row.duration, 'running');
  assert.equal(row.size, 'unknown');
});

test('participant names: excluded ones left out even when their name survived, blank names shown as unnamed', () => {
  const m = meeting({
    participants: [
      { id: 'x', name: 'Kept name', isSelf: false, excluded: true },
      { id: 'y', name: '  ', isSelf: false },
      { id: 'z', name: ' Lin ', isSelf: false },
    ],
  });
  assert.deepEqual(participantNames(m), ['(unnamed)', 'Lin']);
});

test('report links encode the id; totals add up; the skipped notice counts, and is absent at 0', () => {
  assert.equal(reportHref('a b/c?d&e'), 'report.html?meeting=a%20b%2Fc%3Fd%26e');
  assert.equal(totalBytes(new Map([['a', 1_000], ['b', 2_500]])), 3_500);
  assert.equal(totalBytes(new Map()), 0);
  assert.equal(skippedNotice(0), null);
  assert.match(skippedNotice(1) ?? '', /^1 stored meeting is damaged/);
  assert.match(skippedNotice(3) ?? '', /^3 stored meetings are damaged/);
});

const window = new Window();
Object.assign(globalThis, { window, document: window.document, Node: window.Node, HTMLElement: window.HTMLElement, Event: window.Event });
afterEach(() => {
  document.body.innerHTML = '';
});

function table(confirming: string | null, calls: string[]): HTMLElement {
  const root = document.createElement('div');
  document.body.appendChild(root);
  const meetings = [meeting({ id: 'new', startedAt: START + 86_400_000, endedAt: null }), meeting({ id: 'old/1' })];
  void act(() => {
    render(
      h(MeetingTable, {
        meetings,
        bytes: new Map([['old/1', 2_048]]),
        confirming,
        busy: false,
        onAsk: (id: string) => calls.push(`ask ${id}`),
        onConfirm: (id: string) => calls.push(`confirm ${id}`),
        onCancel: () => calls.push('cancel'),
      }),
      root,
    );
  });
  return root;
}

test('the table: one row per meeting in the given order, the texts of each cell, Open links, two-step Delete', () => {
  const calls: string[] = [];
  const root = table(null, calls);
  const rows = [...root.querySelectorAll('[data-testid="meeting-row"]')];
  assert.deepEqual(
    rows.map((r) => r.getAttribute('data-meeting-id')),
    ['new', 'old/1'],
  );
  const cell = (row: Element, id: string) => row.querySelector(`[data-testid="${id}"]`)?.textContent;
  assert.equal(cell(rows[0]!, 'meeting-duration'), 'running');
  assert.equal(cell(rows[0]!, 'meeting-size'), 'unknown');
  assert.equal(cell(rows[1]!, 'meeting-duration'), '1 h 02 min');
  assert.equal(cell(rows[1]!, 'meeting-participants'), 'Ada, Grace');
  assert.equal(cell(rows[1]!, 'meeting-size'), '2.0 kB');
  assert.equal(rows[1]!.querySelector('[data-testid="meeting-open"]')?.getAttribute('href'), 'report.html?meeting=old%2F1');
  assert.equal(root.querySelector('[data-testid="meeting-delete-confirm"]'), null, 'no question before Delete is clicked');
  void act(() => (rows[1]!.querySelector('[data-testid="meeting-delete"]') as HTMLElement).click());
  assert.deepEqual(calls, ['ask old/1'], 'the first click only asks');
});

test('the table asks in the row being deleted, and only there', () => {
  const calls: string[] = [];
  const root = table('old/1', calls);
  const rows = [...root.querySelectorAll('[data-testid="meeting-row"]')];
  assert.equal(rows[0]!.querySelector('[data-testid="meeting-delete-confirm"]'), null);
  assert.equal(rows[1]!.querySelector('[data-testid="meeting-open"]'), null, 'the asking row shows its question instead of Open');
  void act(() => (rows[1]!.querySelector('[data-testid="meeting-delete-confirm"]') as HTMLElement).click());
  void act(() => (rows[1]!.querySelector('[data-testid="meeting-delete-cancel"]') as HTMLElement).click());
  assert.deepEqual(calls, ['confirm old/1', 'cancel']);
});

test('the body is never blank: a storage error in words, damaged records counted beside the empty state, the storage total', () => {
  const mount = (load: Load): HTMLElement => {
    const root = document.createElement('div');
    document.body.appendChild(root);
    const noop = () => {};
    void act(() => render(h(MeetingsBody, { load, confirming: null, busy: false, onAsk: noop, onConfirm: noop, onCancel: noop }), root));
    return root;
  };
  const text = (root: HTMLElement, id: string) => root.querySelector(`[data-testid="${id}"]`)?.textContent ?? null;

  const failed = mount({ state: 'error', text: "the browser's storage for CallMood is full" });
  assert.equal(text(failed, 'meetings-error'), "Could not read the stored meetings: the browser's storage for CallMood is full");

  const damaged = mount({ state: 'ready', meetings: [], skipped: 2, bytes: new Map(), usage: null });
  assert.match(text(damaged, 'meetings-skipped') ?? '', /^2 stored meetings are damaged/);
  assert.match(text(damaged, 'meetings-empty') ?? '', /^No meetings stored yet/);
  assert.equal(text(damaged, 'storage-total'), '0 meetings take 0 B.');

  const listed = mount({ state: 'ready', meetings: [meeting()], skipped: 0, bytes: new Map([['m-1', 1_500]]), usage: 2_000_000 });
  assert.equal(text(listed, 'meetings-skipped'), null, 'no notice without damaged records');
  assert.equal(listed.querySelectorAll('[data-testid="meeting-row"]').length, 1);
  assert.equal(text(listed, 'storage-total'), '1 meeting takes 1.5 kB; the browser counts 2.0 MB of storage for CallMood in all (database overhead included).');
});

test('a running meeting says the analysis stops before it is deleted', () => {
  const root = document.createElement('div');
  document.body.appendChild(root);
  void act(() =>
    render(h(MeetingTable, { meetings: [meeting({ endedAt: null })], bytes: new Map(), confirming: 'm-1', busy: false, onAsk: () => {}, onConfirm: () => {}, onCancel: () => {} }), root),
  );
  assert.match(root.querySelector('.question')?.textContent ?? '', /^Stop the analysis and delete this meeting\?/);
});
