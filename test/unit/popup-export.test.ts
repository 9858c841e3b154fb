/**
 * Proves Export exports what the user means: the meeting being analysed, else the one analysed
 * last in this browser session, else the latest stored meeting not dated in the future (the
 * store is asked with the current time); and the status line names the meeting exported.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exportStatusText, skippedText } from '../../src/popup/export-buttons.tsx';
import { currentMeetingId, describeDateTime, findMeeting } from '../../src/popup/meeting-data.ts';
import type { MeetingRecord, TimelineStore } from '../../src/shared/timeline-store.ts';
import { DEFAULT_OPTIONS } from '../../src/shared/types.ts';
import type { AnalysisView } from '../../src/shared/types.ts';

const STARTED = new Date(2025, 2, 1, 14, 2).getTime();

const MEETING: MeetingRecord = {
  schemaVersion: 1,
  id: 'm-1',
  site: 'meet.google.com',
  adapter: 'meet',
  startedAt: STARTED,
  endedAt: STARTED + 600_000,
  participants: [
    { id: 'a', name: 'Ada', isSelf: true },
    { id: 'b', name: 'Bo', isSelf: false },
    { id: 'c', name: 'Cy', isSelf: false },
  ],
};

function view(meetingId: string | null, lastMeetingId: string | null): AnalysisView {
  return {
    state: meetingId ? 'running' : 'idle',
    tabId: null,
    meetingId,
    options: DEFAULT_OPTIONS,
    adapter: null,
    site: null,
    stats: null,
    participants: [],
    message: null,
    liveAt: null,
    notRecording: null,
    lastMeetingId,
    resumable: false,
  };
}

test('the meeting to export: the running one, else the one analysed last, else none (the latest stored)', () => {
  assert.equal(currentMeetingId(view('run', 'run')), 'run');
  assert.equal(currentMeetingId(view(null, 'stopped')), 'stopped');
  assert.equal(currentMeetingId(view(null, null)), null);
  assert.equal(currentMeetingId(null), null, 'before the first view');
});

test('findMeeting reads the named meeting, or asks the store for the latest one as of now', async () => {
  const calls: string[] = [];
  const store = {
    getMeeting: async (id: string) => (calls.push(`get ${id}`), { meeting: MEETING, skipped: 0 }),
    latestMeeting: async (now?: number) => (calls.push(`latest ${now}`), { meeting: MEETING, skipped: 2 }),
  } as unknown as TimelineStore;
  assert.deepEqual(await findMeeting(store, 'm-1', 123), { meeting: MEETING, skipped: 0 });
  assert.deepEqual(await findMeeting(store, null, 456), { meeting: MEETING, skipped: 2 });
  assert.deepEqual(calls, ['get m-1', 'latest 456']);
  const before = Date.now();
  await findMeeting(store, null);
  const asked = Number(calls.at(-1)!.split(' ')[1]);
  assert.ok(asked >= before && asked <= Date.now(), 'the current time by default');
});

test('the export status names the file and the meeting: local start time, site, participant count', () => {
  const text = exportStatusText('callmood-summary-2025-03-01-1402.json', MEETING, 0);
  assert.equal(text, `saved callmood-summary-2025-03-01-1402.json — meeting of ${describeDateTime(STARTED)} on meet.google.com, 3 participants`);
  assert.match(describeDateTime(STARTED), /2025/, 'the date, with the year');
  assert.match(describeDateTime(STARTED), /14|2:02/, 'the local time');
  assert.match(exportStatusText('x.csv', { ...MEETING, participants: [MEETING.participants[0]!] }, 0), /, 1 participant$/);
  assert.match(exportStatusText('x.csv', MEETING, 2), /3 participants; 2 corrupt records skipped$/);
});

test('skippedText counts corrupt records, singular for one, nothing for none', () => {
  assert.equal(skippedText(0), null);
  assert.equal(skippedText(1), '1 corrupt record skipped');
  assert.equal(skippedText(3), '3 corrupt records skipped');
});
