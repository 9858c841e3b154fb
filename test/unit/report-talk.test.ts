/**
 * Proves the report page's talk-time and reactions section and a participant's signals table
 * render the summary's exact numbers: one row per participant with `data-field` cells whose
 * `data-value` is the summary's number (none where unknown, the cell reading "—"), the
 * explanation under the table, and a note instead of the table when nobody's speaking is known.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { Window } from 'happy-dom';
import { h, render, type VNode } from 'preact';
import { act } from 'preact/test-utils';
import { buildMeetingReport } from '../../src/shared/report-model.ts';
import { toProbabilities } from '../../src/shared/emotions.ts';
import { makeSecondRecord, type MeetingRecord, type SecondRecord } from '../../src/shared/timeline-records.ts';

// uPlot (imported through the charts) reads the browser's globals when it loads.
const host = new Window();
Object.assign(globalThis, { window: host, document: host.document, navigator: host.navigator, matchMedia: host.matchMedia.bind(host), devicePixelRatio: 1, CustomEvent: host.CustomEvent });
const { TalkSection } = await import('../../src/report/talk-section.tsx');
const { SignalTable } = await import('../../src/report/participant-section.tsx');

const windows: Window[] = [];
afterEach(async () => {
  await Promise.all(windows.splice(0).map((w) => w.happyDOM.close()));
});

function mount(vnode: VNode<any>): Element {
  const win = new Window();
  windows.push(win);
  const root = win.document.createElement('div') as unknown as Element;
  win.document.body.append(root as never);
  void act(() => render(vnode, root));
  return root;
}

const meeting: MeetingRecord = {
  schemaVersion: 1,
  id: 'm1',
  site: 'meet.google.com',
  adapter: 'meet',
  startedAt: 1_700_000_000_000,
  endedAt: 1_700_000_060_000,
  participants: [
    { id: 'a', name: 'Ana', isSelf: true },
    { id: 'b', name: 'Ben', isSelf: false },
  ],
};
const HAPPY = toProbabilities([0.02, 0.01, 0.01, 0.82, 0.04, 0.04, 0.06]);

/** 60 s: Ana speaks at 10..29 with Ben's face in view; Ben never speaks. */
function seconds(speakingKnown = true): SecondRecord[] {
  return Array.from({ length: 60 }, (_, s) => [
    makeSecondRecord({ meetingId: 'm1', participantId: 'a', name: 'a', second: s, probabilities: HAPPY, dominant: 'happy', faceSeconds: 1, samples: 3, gap: null, ...(speakingKnown ? { speaking: s >= 10 && s < 30, speakingSource: 'site' as const } : {}), attending: 1, quality: 0.8 }),
    makeSecondRecord({ meetingId: 'm1', participantId: 'b', name: 'b', second: s, probabilities: HAPPY, dominant: 'happy', faceSeconds: 1, samples: 3, gap: null, ...(speakingKnown ? { speaking: false, speakingSource: 'face' as const } : {}) }),
  ]).flat();
}

test('the talk table: a row per participant with the summary\'s talk time, share, turns and listeners\' valence', () => {
  const report = buildMeetingReport(meeting, seconds());
  const root = mount(h(TalkSection, { report }));
  const rows = [...root.querySelectorAll('[data-testid="talk-table"] tr[data-participant-id]')];
  assert.deepEqual(rows.map((r) => r.getAttribute('data-participant-id')), ['a', 'b']);
  const cell = (id: string, field: string) => root.querySelector(`tr[data-participant-id="${id}"] td[data-field="${field}"]`)!;
  assert.equal(Number(cell('a', 'seconds').getAttribute('data-value')), report.summary.talkTime[0]!.seconds);
  assert.equal(cell('a', 'seconds').textContent, '0:20');
  assert.equal(Number(cell('a', 'share').getAttribute('data-value')), 1);
  const reaction = report.summary.reactions.find((r) => r.speakerId === 'a')!;
  assert.equal(Number(cell('a', 'turns').getAttribute('data-value')), reaction.turns);
  assert.equal(Number(cell('a', 'listenerValenceMean').getAttribute('data-value')), reaction.listenerValenceMean);
  assert.match(cell('a', 'listenerValenceMean').textContent ?? '', /^\+\d\.\d\d$/);
  assert.equal(cell('b', 'turns').textContent, '0');
  assert.equal(cell('b', 'listenerValenceChange').hasAttribute('data-value'), false);
  assert.equal(cell('b', 'listenerValenceChange').textContent, '—');
  assert.match(root.querySelector('[data-testid="talk-explanation"]')?.textContent ?? '', /A turn is a run of speaking seconds at least 2 s long/);
});

test('nobody\'s speaking known: a note, no table', () => {
  const root = mount(h(TalkSection, { report: buildMeetingReport(meeting, seconds(false)) }));
  assert.equal(root.querySelector('[data-testid="talk-table"]'), null);
  assert.ok(root.querySelector('[data-testid="talk-unknown"]'));
});

test("a participant's signals table holds the summary's numbers", () => {
  const report = buildMeetingReport(meeting, seconds());
  const ana = report.participants[0]!;
  const root = mount(h(SignalTable, { participant: ana }));
  const value = (field: string) => root.querySelector(`[data-testid="signals"] td[data-field="${field}"]`)?.getAttribute('data-value');
  assert.equal(Number(value('talkSeconds')), ana.summary.talkSeconds);
  assert.equal(Number(value('attendingShare')), ana.summary.attendingShare);
  assert.equal(Number(value('meanValence')), ana.summary.meanValence);
  assert.equal(Number(value('meanArousal')), ana.summary.meanArousal);
  assert.equal(Number(value('meanQuality')), ana.summary.meanQuality);
  assert.equal(value('cantTellSeconds'), '0');
  assert.match(root.querySelector('td[data-field="talkSeconds"]')?.textContent ?? '', /^0:20 of 1:00 known$/);
});
