/**
 * The background's start/stop/view logic (`AnalysisControl`) driven without a browser: a fake
 * analysis host, storage, call tab and view ports. It proves that start and stop reach the
 * host, the page, the session and the badge; that every change of the view is pushed to the
 * open view ports and to no closed one; that nothing is built or sent while no port is open
 * (and the current view goes out at once when one opens); that a second start replaces the
 * running analysis and a start during a start is refused; that stop is safe when nothing
 * runs; that the host's errors end the analysis and show in the view; and that excluding a
 * participant reaches the host (and the store when asked), hides them from the view, and is
 * passed again to a restarted host of the same meeting.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { AnalysisControl, MAX_RESTARTS, type ControlDeps, type ViewPortSink } from '../../src/background/analysis-control.ts';
import type { AnalysisHost, HostStartRequest, HostSinks } from '../../src/background/analysis-host.ts';
import type { Session } from '../../src/background/session.ts';
import type { LiveUpdate, Outcome } from '../../src/shared/messages.ts';
import type { ViewPortMessage } from '../../src/shared/view-port.ts';
import { DEFAULT_OPTIONS, type AnalysisView } from '../../src/shared/types.ts';

const NOW = 1_700_000_000_000;
const TAB = 7;

/** A fake of everything `AnalysisControl` reaches; `calls` lists what it was asked, in order. */
function fakes(
  opts: { startOutcome?: Outcome; hostRunning?: boolean; hostLive?: LiveUpdate | null; stopError?: string; injectError?: string; restartOutcome?: Outcome; excludeError?: string; deleteError?: string } = {},
) {
  const calls: string[] = [];
  const state = {
    session: null as Session | null,
    options: { ...DEFAULT_OPTIONS },
    badge: false,
    requests: [] as HostStartRequest[],
    sinks: null as HostSinks | null,
    viewsBuilt: 0,
    lastMeetingId: null as string | null,
  };
  const host: AnalysisHost = {
    async start(request, sinks) {
      calls.push(`host.start ${request.meetingId}${request.resume ? ' resume' : ''}`);
      state.requests.push(request);
      state.sinks = sinks;
      return (request.resume ? opts.restartOutcome : undefined) ?? opts.startOutcome ?? { ok: true };
    },
    async stop() {
      calls.push('host.stop');
      if (opts.stopError) throw new Error(opts.stopError);
    },
    running: async () => opts.hostRunning ?? false,
    async live() {
      calls.push('host.live');
      return opts.hostLive ?? null;
    },
    setTiles: async (snapshot) => void calls.push(`host.setTiles ${snapshot.tiles.map((t) => t.name).join(',')}`),
    setOptions: async (o) => void calls.push(`host.setOptions ${JSON.stringify(o)}`),
    setListening: async (l) => void calls.push(`host.setListening ${l}`),
    async exclude(id) {
      calls.push(`host.exclude ${id}`);
      if (opts.excludeError) throw new Error(opts.excludeError);
    },
  };
  let meetings = 0;
  const deps: ControlDeps = {
    viewIntervalMs: 0,
    host: () => host,
    storage: {
      loadSession: async () => state.session,
      saveSession: async (s) => void (state.session = s),
      async loadOptions() {
        calls.push('storage.loadOptions');
        return { ...state.options };
      },
      saveOptions: async (o) => void (state.options = o),
      loadDevConfig: async () => ({ targetFps: 5 }),
      loadLastMeetingId: async () => state.lastMeetingId,
      saveLastMeetingId: async (id) => void (state.lastMeetingId = id),
    },
    tab: {
      async inject(tabId) {
        calls.push(`tab.inject ${tabId}`);
        if (opts.injectError) throw new Error(opts.injectError);
      },
      stop: async (tabId) => void calls.push(`tab.stop ${tabId}`),
      setOptions: async (tabId, o) => void calls.push(`tab.setOptions ${tabId} ${JSON.stringify(o)}`),
      showLive: async (tabId, participants, excluded) => void calls.push(`tab.showLive ${tabId} ${participants.length}${excluded.length ? ` excluding ${excluded.join(',')}` : ''}`),
    },
    badge: async (on) => void (state.badge = on),
    newMeetingId: () => `meeting-${++meetings}`,
    endOpenMeetings: async () => void calls.push('timeline.endOpenMeetings'),
    async deleteParticipantRecords(meetingId, participantId) {
      calls.push(`timeline.excludeParticipant ${meetingId} ${participantId}`);
      if (opts.deleteError) throw new Error(opts.deleteError);
    },
  };
  const control = new AnalysisControl(deps);
  const view = control.view.bind(control);
  control.view = async () => {
    state.viewsBuilt++;
    return view();
  };
  return { control, calls, state };
}

/** A view port that keeps what it is sent. */
class Port implements ViewPortSink {
  readonly sent: AnalysisView[] = [];
  postMessage(message: ViewPortMessage): void {
    assert.equal(message.callmood, 1);
    assert.equal(message.name, 'popup/view');
    this.sent.push(structuredClone(message.payload));
  }
  get last(): AnalysisView | undefined {
    return this.sent.at(-1);
  }
}

function liveUpdate(meetingId: string, name = 'Ada', ids: string[] = ['p1']): LiveUpdate {
  return {
    tabId: TAB,
    meetingId,
    stats: { backend: 'wasm', backendReason: 'test', fps: 10, inferenceMs: 30, latencyMs: 50 },
    participants: ids.map((id) => ({ id, name, isSelf: false, analysed: true, faceVisible: false, probabilities: null, dominant: null, confidence: null, faceBox: null, frameTime: NOW, gap: 'no-face' as const, updateHz: 10, qualityLimit: null, valence: null, arousal: null, attending: false, speaking: null, speakingSource: null, quality: null, baseline: null })),
    message: null,
    publishedAt: NOW,
    notRecording: null,
  };
}

function useClock(t: TestContext): void {
  t.mock.timers.enable({ apis: ['Date'], now: NOW });
}

test('start injects the content script, starts the host, stores the running session and pushes starting then running', async (t) => {
  useClock(t);
  const { control, calls, state } = fakes();
  const port = new Port();
  control.connect(port);
  await control.settled();
  assert.equal(port.last?.state, 'idle', 'a port gets the current view at once');

  state.options = { overlays: true, paused: true, onlyMe: true, baseline: false };
  assert.deepEqual(await control.start(TAB), { ok: true });
  await control.settled();

  assert.deepEqual(calls.filter((c) => !c.startsWith('storage.')), ['tab.inject 7', 'host.start meeting-1']);
  assert.deepEqual(state.requests[0], {
    tabId: TAB,
    meetingId: 'meeting-1',
    startedAt: NOW,
    options: { overlays: true, paused: false, onlyMe: true, baseline: false },
    tiles: null,
    listening: true,
    configOverrides: { targetFps: 5 },
    resume: false,
    excluded: [],
  });
  assert.deepEqual(state.session, { tabId: TAB, meetingId: 'meeting-1', startedAt: NOW, options: { overlays: true, paused: false, onlyMe: true, baseline: false }, state: 'running' });
  assert.equal(state.badge, true);
  const states = port.sent.map((v) => v.state);
  assert.equal(states[0], 'idle');
  assert.ok(states.includes('starting'), `pushed: ${states.join(', ')}`);
  assert.equal(states.at(-1), 'running');
  assert.deepEqual({ ...port.last, stats: null }, {
    state: 'running',
    tabId: TAB,
    meetingId: 'meeting-1',
    options: { overlays: true, paused: false, onlyMe: true, baseline: false },
    adapter: null,
    fallbackFrom: null,
    site: null,
    stats: null,
    participants: [],
    message: null,
    liveAt: null,
    notRecording: null,
    lastMeetingId: 'meeting-1',
    resumable: false,
  });
});

test('the view reads stopping until the host has stopped and the meeting has ended, then idle', async () => {
  const { control, calls } = fakes();
  await control.start(TAB);
  calls.length = 0;
  const stopping = control.stop();
  assert.equal((await control.view()).state, 'stopping');
  assert.ok(!calls.includes('timeline.endOpenMeetings'), 'the meeting is not ended yet');
  await stopping;
  assert.ok(calls.includes('timeline.endOpenMeetings'));
  assert.equal((await control.view()).state, 'idle');
});

test('stop releases the host and the page, clears the session and badge, and pushes idle', async () => {
  const { control, calls, state } = fakes();
  const port = new Port();
  control.connect(port);
  await control.start(TAB);
  await control.liveUpdate(liveUpdate('meeting-1'));
  await control.settled();
  assert.equal(port.last?.participants.length, 1);
  calls.length = 0;

  assert.deepEqual(await control.stop(), { ok: true });
  await control.settled();
  assert.deepEqual(calls.filter((c) => !c.startsWith('storage.')), ['host.stop', 'tab.stop 7', 'timeline.endOpenMeetings']);
  assert.equal(state.session, null);
  assert.equal(state.badge, false);
  assert.equal(port.last?.state, 'idle');
  assert.deepEqual(port.last?.participants, []);
  assert.equal(port.last?.stats, null, 'the last live update is dropped');

  await control.liveUpdate(liveUpdate('meeting-1'));
  await control.settled();
  assert.equal(port.last?.stats, null, 'a late update of the stopped meeting is ignored');
});

test('stop when nothing runs succeeds, asks the host anyway and sends nothing to a page', async () => {
  const { control, calls } = fakes();
  const port = new Port();
  control.connect(port);
  assert.deepEqual(await control.stop(), { ok: true });
  await control.settled();
  assert.deepEqual(calls.filter((c) => !c.startsWith('storage.')), ['host.stop', 'timeline.endOpenMeetings']);
  assert.equal(port.last?.state, 'idle');
});

test('every change of the view is pushed to the open ports, and none to a closed one', async () => {
  const { control, calls } = fakes();
  const a = new Port();
  const b = new Port();
  control.connect(a);
  const closeB = control.connect(b);
  await control.start(TAB);
  await control.settled();
  assert.equal(control.openPorts, 2);
  assert.equal(b.last?.state, 'running');

  closeB();
  const bSent = b.sent.length;
  await control.tilesUpdate({ adapter: 'meet', fallbackFrom: null, site: 'meet.google.com', viewport: { width: 1280, height: 720 }, devicePixelRatio: 1, tiles: [], takenAt: NOW }, TAB);
  await control.settled();
  assert.equal(a.last?.site, 'meet.google.com', 'tiles');
  await control.liveUpdate(liveUpdate('meeting-1', 'Ada'));
  await control.settled();
  assert.equal(a.last?.participants[0]?.name, 'Ada', 'live update');
  assert.equal(a.last?.stats?.fps, 10);
  await control.setOptions({ overlays: true });
  await control.settled();
  assert.equal(a.last?.options.overlays, true, 'options');
  assert.ok(calls.includes('host.setOptions {"overlays":true,"paused":false,"onlyMe":false,"baseline":false}'));
  assert.ok(calls.includes('tab.setOptions 7 {"overlays":true,"paused":false,"onlyMe":false,"baseline":false}'));
  assert.ok(calls.includes('tab.showLive 7 1'), 'overlays turned on get the latest participants at once');
  await control.stop();
  await control.settled();
  assert.equal(a.last?.state, 'idle', 'stop');
  assert.equal(b.sent.length, bSent, 'the closed port got nothing');

  await control.tilesUpdate({ adapter: 'zoom', site: 'zoom.us', viewport: { width: 1, height: 1 }, devicePixelRatio: 1, tiles: [], takenAt: NOW }, TAB);
  await control.settled();
  assert.equal(a.last?.site, null, 'tiles of a tab that is not analysed are ignored');
});

test('with no port open nothing is built or sent; a port that opens gets the latest view at once', async () => {
  const { control, state, calls } = fakes();
  const closed = new Port();
  control.connect(closed)();
  await control.settled();
  state.viewsBuilt = 0;
  closed.sent.length = 0;
  await control.start(TAB);
  for (let i = 0; i < 20; i++) await control.liveUpdate(liveUpdate('meeting-1', `Ada ${i}`));
  await control.setOptions({ paused: true });
  await control.settled();
  assert.equal(state.viewsBuilt, 0, 'no view built');
  assert.deepEqual(closed.sent, []);
  assert.ok(!calls.includes('host.live'), 'nothing asked of the host for a view');

  const port = new Port();
  control.connect(port);
  await control.settled();
  assert.equal(port.sent.length, 1);
  assert.equal(port.last?.state, 'running');
  assert.equal(port.last?.participants[0]?.name, 'Ada 19', 'the latest live update was kept');
  assert.equal(port.last?.options.paused, true);
});

test('a burst of changes during a push costs at most one more view, and the last view sent is current', async () => {
  const { control, state } = fakes();
  const port = new Port();
  control.connect(port);
  await control.start(TAB);
  await control.settled();
  const before = state.viewsBuilt;
  await Promise.all(Array.from({ length: 10 }, (_, i) => control.liveUpdate(liveUpdate('meeting-1', `Ada ${i}`))));
  await control.settled();
  assert.ok(state.viewsBuilt - before <= 2, `${state.viewsBuilt - before} views for 10 updates`);
  assert.equal(port.last?.participants[0]?.name, 'Ada 9');
});

test('a second start stops the running analysis first; a start during a start is refused', async (t) => {
  useClock(t);
  const { control, calls, state } = fakes();
  const port = new Port();
  control.connect(port);
  await control.start(TAB);
  calls.length = 0;

  assert.deepEqual(await control.start(TAB + 1), { ok: true });
  assert.deepEqual(calls.filter((c) => !c.startsWith('storage.')), ['host.stop', 'tab.stop 7', 'timeline.endOpenMeetings', 'tab.inject 8', 'host.start meeting-2']);
  assert.equal(state.session?.meetingId, 'meeting-2');
  assert.equal(state.session?.tabId, TAB + 1);

  const first = control.start(TAB);
  assert.deepEqual(await control.start(TAB + 1), { ok: false, error: 'already starting' });
  assert.deepEqual(await first, { ok: true });
  await control.settled();
  assert.equal(state.session?.meetingId, 'meeting-3');
  assert.equal(port.last?.state, 'running');
  assert.equal(port.last?.tabId, TAB);
});

test('the host refusing to start ends the analysis and shows its error', async () => {
  const { control, calls, state } = fakes({ startOutcome: { ok: false, error: 'could not start analysis: no backend' } });
  const port = new Port();
  control.connect(port);
  assert.deepEqual(await control.start(TAB), { ok: false, error: 'could not start analysis: no backend' });
  await control.settled();
  assert.ok(calls.includes('host.stop') && calls.includes('tab.stop 7'), 'everything released');
  assert.equal(state.session, null);
  assert.equal(state.badge, false);
  assert.equal(port.last?.state, 'error');
  assert.equal(port.last?.message, 'could not start analysis: no backend');

  const again = fakes({ injectError: 'Cannot access contents of the page.' });
  assert.deepEqual(await again.control.start(TAB), { ok: false, error: 'Cannot access contents of the page.' });
  assert.ok(!again.calls.some((c) => c.startsWith('host.start')), 'the host is not started without the content script');
});

test('the host failing while running stops the analysis and shows its error until the next start', async () => {
  const { control, state } = fakes();
  const port = new Port();
  control.connect(port);
  await control.start(TAB);
  await state.sinks!.failed('the capture ended');
  await control.settled();
  assert.equal(state.session, null);
  assert.equal(port.last?.state, 'error');
  assert.equal(port.last?.message, 'the capture ended');
  await control.start(TAB);
  await control.settled();
  assert.equal(port.last?.state, 'running');
  assert.equal(port.last?.message, null);
});

test('a host that cannot be released makes stop report it', async () => {
  const { control, state } = fakes({ stopError: 'offscreen document did not close' });
  await control.start(TAB);
  assert.deepEqual(await control.stop(), { ok: false, error: 'offscreen document did not close' });
  assert.equal(state.session, null, 'the session ends anyway');
});

test('after a worker restart: a running host gives the live view to the first port; a lost host is reported', async () => {
  const session: Session = { tabId: TAB, meetingId: 'meeting-9', startedAt: NOW, options: { ...DEFAULT_OPTIONS }, state: 'running' };
  const alive = fakes({ hostRunning: true, hostLive: liveUpdate('meeting-9', 'Bo') });
  alive.state.session = session;
  await alive.control.restore();
  assert.equal(alive.state.badge, true);
  const port = new Port();
  alive.control.connect(port);
  await alive.control.settled();
  assert.equal(port.last?.state, 'running');
  assert.equal(port.last?.participants[0]?.name, 'Bo');

  const lost = fakes({ hostRunning: false });
  lost.state.session = session;
  await lost.control.restore();
  assert.deepEqual(lost.calls.filter((c) => c.startsWith('host.start')), ['host.start meeting-9 resume'], 'a lost host is restarted on the same meeting');
  assert.equal(lost.state.session?.meetingId, 'meeting-9');
  assert.equal(lost.state.badge, true);
});

test('a host that dies is restarted on the same meeting; the view shows no live figures meanwhile', async () => {
  const { control, state, calls } = fakes();
  const port = new Port();
  control.connect(port);
  await control.start(TAB);
  await state.sinks!.live(liveUpdate('meeting-1'));
  await control.settled();
  assert.equal(port.last?.participants.length, 1);
  assert.equal(port.last?.liveAt, NOW);
  await control.hostLost('its offscreen document closed');
  await control.settled();
  assert.deepEqual(calls.filter((c) => c.startsWith('host.start')), ['host.start meeting-1', 'host.start meeting-1 resume']);
  const request = state.requests.at(-1)!;
  assert.equal(request.startedAt, state.requests[0]!.startedAt, 'the same meeting start: the timeline goes on');
  assert.deepEqual(request.configOverrides, { targetFps: 5, backend: { choice: 'wasm' } }, 'the restart skips choosing the backend');
  assert.equal(port.last?.state, 'running');
  assert.deepEqual(port.last?.participants, [], 'the dead host\'s last figures are not shown as live');
  assert.equal(port.last?.liveAt, null);
  assert.equal(port.last?.message, null);
  await state.sinks!.live(liveUpdate('meeting-1', 'Bo'));
  await control.settled();
  const after: AnalysisView | undefined = port.last;
  assert.equal(after?.participants[0]?.name, 'Bo');
});

test('a host that cannot be restarted ends the analysis and its meeting, and Resume goes on with the same meeting', async () => {
  const { control, state, calls } = fakes({ restartOutcome: { ok: false, error: 'Extension has not been invoked for the current page' } });
  const port = new Port();
  control.connect(port);
  await control.start(TAB);
  await control.hostLost('its offscreen document closed');
  await control.settled();
  assert.equal(state.session, null);
  assert.equal(port.last?.state, 'error');
  assert.equal(port.last?.resumable, true);
  assert.match(port.last?.message ?? '', /could not be restarted: Extension has not been invoked.*Press Resume/);
  assert.ok(calls.includes('timeline.endOpenMeetings'), 'the meeting gets its end time');
  assert.equal(port.last?.lastMeetingId, 'meeting-1', 'Export still means the meeting just analysed');
  state.requests.length = 0;
  assert.deepEqual(await control.resume(), { ok: false, error: 'Extension has not been invoked for the current page' }, 'Resume asks the host with the same meeting');
  assert.equal(state.requests[0]?.meetingId, 'meeting-1');
  assert.equal(state.requests[0]?.resume, true);
});

test(`a host that dies ${MAX_RESTARTS} times within a minute is not restarted again`, async (t) => {
  useClock(t);
  const { control, state, calls } = fakes();
  await control.start(TAB);
  for (let k = 0; k < MAX_RESTARTS; k++) {
    await control.hostLost('crash');
    assert.equal(state.session?.state, 'running', `restart ${k + 1}`);
  }
  await control.hostLost('crash');
  assert.equal(state.session, null, 'stopped');
  assert.equal(calls.filter((c) => c.endsWith('resume')).length, MAX_RESTARTS);
});

test('Stop ends the open meetings and keeps the meeting just analysed as the one to export', async () => {
  const { control, state, calls } = fakes();
  const port = new Port();
  control.connect(port);
  await control.start(TAB);
  await control.stop();
  await control.settled();
  assert.ok(calls.includes('timeline.endOpenMeetings'));
  assert.equal(port.last?.meetingId, null);
  assert.equal(port.last?.lastMeetingId, 'meeting-1');
  assert.equal(state.lastMeetingId, 'meeting-1');
});

test('the keyboard command stops the analysed tab and starts another', async () => {
  const { control, state } = fakes();
  await control.toggle(TAB);
  assert.equal(state.session?.tabId, TAB);
  await control.toggle(TAB);
  assert.equal(state.session, null);
  await control.toggle(undefined);
  assert.equal(state.session, null, 'no tab: nothing to start');
});

test('the host sends live updates only while someone looks: a popup is open or overlays are on', async (t) => {
  useClock(t);
  const { control, calls, state } = fakes();
  state.options = { overlays: false, paused: false, onlyMe: false, baseline: false };
  assert.deepEqual(await control.start(TAB), { ok: true });
  assert.equal(state.requests[0]!.listening, false, 'no popup, no overlays: nobody looks');
  const port = new Port();
  const disconnect = control.connect(port);
  await control.settled();
  await new Promise((r) => setImmediate(r));
  assert.equal(calls.filter((c) => c.startsWith('host.setListening')).at(-1), 'host.setListening true', 'a popup opened');
  disconnect();
  await new Promise((r) => setImmediate(r));
  assert.equal(calls.filter((c) => c.startsWith('host.setListening')).at(-1), 'host.setListening false', 'the popup closed');
  await control.setOptions({ overlays: true });
  assert.equal(calls.filter((c) => c.startsWith('host.setListening')).at(-1), 'host.setListening true', 'overlays on');
  const before = calls.filter((c) => c.startsWith('host.setListening')).length;
  await control.setOptions({ onlyMe: true });
  assert.equal(calls.filter((c) => c.startsWith('host.setListening')).length, before, 'no change, nothing sent');
});

test('a restarted host keeps the backend the dead one chose, unless the developer overrides choose one', async () => {
  const { withBackend } = await import('../../src/background/analysis-control.ts');
  assert.deepEqual(withBackend({}, 'wasm'), { backend: { choice: 'wasm' } });
  assert.deepEqual(withBackend({ backend: { warmupRuns: 1 } }, 'webgl'), { backend: { warmupRuns: 1, choice: 'webgl' } });
  assert.deepEqual(withBackend({ backend: { choice: 'webgpu' } }, 'wasm'), { backend: { choice: 'webgpu' } }, 'a chosen backend stays');
  assert.deepEqual(withBackend({ live: { targetFps: 5 } }, null), { live: { targetFps: 5 } }, 'none known: choose afresh');
  assert.deepEqual(withBackend({}, 'naive-human'), {}, 'not a backend');
});

test('excluding a participant tells the host, drops them from the view and from later updates, deletes their records when asked, and outlives a host restart', async () => {
  const { control, calls, state } = fakes();
  const port = new Port();
  control.connect(port);
  assert.deepEqual(await control.excludeParticipant('p1', false), { ok: false, error: 'nothing is being analysed' });
  await control.start(TAB);
  await control.liveUpdate(liveUpdate('meeting-1', 'Ada', ['p1', 'p2', 'room']));
  calls.length = 0;

  assert.deepEqual(await control.excludeParticipant('p1', false), { ok: true });
  await control.settled();
  assert.deepEqual(calls, ['host.exclude p1'], 'no deletion unless asked');
  assert.deepEqual(port.last?.participants.map((p) => p.id), ['p2', 'room']);

  assert.deepEqual(await control.excludeParticipant('room', true), { ok: true });
  assert.deepEqual(calls.slice(1), ['host.exclude room', 'timeline.excludeParticipant meeting-1 room']);
  // An update the host made before it heard of the exclusions: neither shows, nor a person of the excluded tile.
  await control.liveUpdate(liveUpdate('meeting-1', 'Ada', ['p1', 'p2', 'room', 'room#1']));
  await control.settled();
  assert.deepEqual(port.last?.participants.map((p) => p.id), ['p2']);

  await control.hostLost('its offscreen document closed');
  assert.deepEqual(state.requests.at(-1)?.excluded, ['p1', 'room'], 'a restarted host is told whom to skip');
  assert.equal(state.requests.at(-1)?.meetingId, 'meeting-1');

  await control.start(TAB);
  assert.deepEqual(state.requests.at(-1)?.excluded, [], 'a new meeting starts with nobody excluded');
});

test("a participant renamed by hand: the host gets the name on every layout, the view shows it at once and in later updates, a restarted host keeps it, an empty name goes back to the page's", async () => {
  const { control, calls, state } = fakes();
  const port = new Port();
  control.connect(port);
  assert.deepEqual(await control.renameParticipant('p1', 'Ada L.'), { ok: false, error: 'nothing is being analysed' });
  await control.start(TAB);
  const tile = (id: string, name: string) => ({ id, name, nameFrom: 'caption' as const, rect: { x: 0, y: 0, width: 320, height: 180 }, visible: true, isSelf: false });
  const snapshot = (name: string) => ({ adapter: 'generic' as const, site: 'sfu.example', viewport: { width: 1280, height: 720 }, devicePixelRatio: 1, tiles: [tile('p1', name), tile('p2', 'Bob')], takenAt: NOW });
  await control.tilesUpdate(snapshot('Tile 1'), TAB);
  await control.liveUpdate(liveUpdate('meeting-1', 'Tile 1', ['p1', 'p2']));
  calls.length = 0;

  assert.deepEqual(await control.renameParticipant('p1', '  Ada   Lovelace '), { ok: true });
  await control.settled();
  assert.deepEqual(calls, ['host.setTiles Ada Lovelace,Bob']);
  assert.equal(port.last?.participants.find((p) => p.id === 'p1')?.name, 'Ada Lovelace', 'the view at once');
  assert.equal(port.last?.participants.find((p) => p.id === 'p1')?.nameFrom, 'hand', 'the view says who named them');
  await control.liveUpdate(liveUpdate('meeting-1', 'Tile 1', ['p1', 'p2']));
  await control.settled();
  assert.equal(port.last?.participants.find((p) => p.id === 'p1')?.name, 'Ada Lovelace', 'an update the host made before the rename');
  await control.tilesUpdate(snapshot('Remote Video'), TAB);
  assert.equal(calls.at(-1), 'host.setTiles Ada Lovelace,Bob', "the hand-given name wins over the page's");

  await control.hostLost('its offscreen document closed');
  assert.deepEqual(state.requests.at(-1)?.tiles?.tiles.map((t) => t.name), ['Ada Lovelace', 'Bob'], 'a restarted host gets it');
  assert.deepEqual(state.requests.at(-1)?.tiles?.tiles.map((t) => t.nameFrom), ['hand', 'caption'], "the hand-given name is marked so; the page's keeps its rule");

  assert.equal((await control.renameParticipant('room#1', 'Carol')).ok, false, 'a person of a shared video');
  assert.deepEqual(await control.renameParticipant('p1', ' '), { ok: true });
  assert.equal(calls.at(-1), 'host.setTiles Remote Video,Bob', "back to the page's name");
  await control.start(TAB);
  await control.tilesUpdate(snapshot('Tile 1'), TAB);
  assert.equal(calls.at(-1), 'host.setTiles Tile 1,Bob', 'a new meeting starts with no names given by hand');
});

test('an exclusion the host cannot hear or whose records cannot be deleted says so, and still holds', async () => {
  const { control, state } = fakes({ excludeError: 'offscreen document gone', deleteError: 'participant p9 is not in meeting meeting-1' });
  await control.start(TAB);
  const outcome = await control.excludeParticipant('p9', true);
  assert.equal(outcome.ok, false);
  assert.match(outcome.ok ? '' : outcome.error, /could not be told: offscreen document gone; their records could not be deleted: participant p9/);
  await control.hostLost('crash');
  assert.deepEqual(state.requests.at(-1)?.excluded, ['p9']);
});

test('exclusions are kept in the session: a restarted worker still hides them and tells a restarted host', async () => {
  const before = fakes();
  await before.control.start(TAB);
  await before.control.excludeParticipant('p1', false);
  assert.deepEqual(before.state.session?.excluded, ['p1']);

  const after = fakes({ hostRunning: false });
  after.state.session = before.state.session;
  await after.control.restore();
  assert.deepEqual(after.state.requests.at(-1)?.excluded, ['p1'], 'the host restarted by the new worker skips p1');
  await after.control.liveUpdate(liveUpdate('meeting-1', 'Ada', ['p1', 'p2']));
  assert.deepEqual((await after.control.view()).participants.map((p) => p.id), ['p2']);
});
