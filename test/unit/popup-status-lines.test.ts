/**
 * Proves the lines under the popup's header: the state line carries `data-live-at`, "Not
 * recording: <reason>" shows as an alert while the timeline is not written, the stale notice
 * shows only with an age, and a resumable fault offers a Resume button beside the message that
 * is disabled while a command is in flight.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { Window } from 'happy-dom';
import { h, render } from 'preact';
import type { ComponentChild } from 'preact';
import { act } from 'preact/test-utils';
import { MessageLine, StateLines } from '../../src/popup/status-lines.tsx';
import type { StateLinesProps } from '../../src/popup/status-lines.tsx';
import { DEFAULT_OPTIONS } from '../../src/shared/types.ts';
import type { AnalysisView } from '../../src/shared/types.ts';

const windows: Window[] = [];
afterEach(async () => {
  await Promise.all(windows.splice(0).map((w) => w.happyDOM.close()));
});

function mount(node: ComponentChild): Element {
  const win = new Window();
  windows.push(win);
  const root = win.document.createElement('div') as unknown as Element;
  void act(() => render(node, root));
  return root;
}

function view(patch: Partial<AnalysisView> = {}): AnalysisView {
  return {
    state: 'running',
    tabId: 7,
    meetingId: 'm-1',
    options: DEFAULT_OPTIONS,
    adapter: 'meet',
    site: 'meet.google.com',
    stats: null,
    participants: [],
    message: null,
    liveAt: 1_700_000_000_000,
    notRecording: null,
    lastMeetingId: 'm-1',
    resumable: false,
    ...patch,
  };
}

function stateLines(patch: Partial<StateLinesProps>): Element {
  return mount(h(StateLines, { view: view(), text: 'Analysing this tab.', loading: false, connection: 'connected', connectionError: null, staleAgeMs: null, ...patch }));
}

const byTestId = (root: Element, id: string) => root.querySelector(`[data-testid="${id}"]`);

test('the state line carries liveAt, or an empty data-live-at without figures', () => {
  assert.equal(byTestId(stateLines({}), 'state')?.getAttribute('data-live-at'), '1700000000000');
  assert.equal(byTestId(stateLines({ view: view({ liveAt: null }) }), 'state')?.getAttribute('data-live-at'), '');
  assert.equal(byTestId(stateLines({ view: null }), 'state')?.getAttribute('data-live-at'), '');
});

test('"Not recording: <reason>" is an alert, shown only while the timeline is not written', () => {
  const root = stateLines({ view: view({ notRecording: 'the database cannot be written: QuotaExceededError' }) });
  const line = byTestId(root, 'not-recording');
  assert.equal(line?.textContent, 'Not recording: the database cannot be written: QuotaExceededError');
  assert.equal(line?.getAttribute('role'), 'alert');
  assert.ok(line?.classList.contains('error'));
  assert.equal(byTestId(stateLines({}), 'not-recording'), null);
});

test('the stale notice shows the age in whole seconds, and nothing while live', () => {
  assert.equal(byTestId(stateLines({ staleAgeMs: 3700 }), 'live-stale')?.textContent, 'Live view not updating: last figures 3 s old.');
  assert.equal(byTestId(stateLines({}), 'live-stale'), null);
});

test('a resumable fault offers Resume beside the message; it is disabled while a command is in flight', () => {
  let resumed = 0;
  const resume = () => void resumed++;
  const faulted = view({ state: 'error', message: 'the capture ended unexpectedly', resumable: true });
  const root = mount(h(MessageLine, { view: faulted, pending: null, resume }));
  assert.equal(byTestId(root, 'message')?.textContent, 'the capture ended unexpectedly');
  const button = byTestId(root, 'resume') as HTMLButtonElement | null;
  assert.equal(button?.textContent, 'Resume');
  assert.equal(button.disabled, false);
  void act(() => button.click());
  assert.equal(resumed, 1);

  const pending = byTestId(mount(h(MessageLine, { view: faulted, pending: 'resume', resume })), 'resume') as HTMLButtonElement | null;
  assert.equal(pending?.textContent, 'Resuming…');
  assert.equal(pending.disabled, true);
  assert.equal((byTestId(mount(h(MessageLine, { view: faulted, pending: 'stop', resume })), 'resume') as HTMLButtonElement).disabled, true);
});

test('no Resume without a resumable fault; no line at all without a message', () => {
  const root = mount(h(MessageLine, { view: view({ state: 'error', message: 'no self view found' }), pending: null, resume: () => {} }));
  assert.equal(byTestId(root, 'resume'), null);
  assert.equal(byTestId(root, 'message')?.textContent, 'no self view found');
  assert.equal(mount(h(MessageLine, { view: view(), pending: null, resume: () => {} })).innerHTML, '');
});
