/**
 * The message contract's transport: `listen()` dispatches by receiver prefix, ignores other
 * receivers' and unknown messages, checks the sender, and turns a handler's rejection into
 * `{ ok: false, error }` that `send()` throws again on the other side. The view port:
 * `parseViewPortMessage` accepts only a whole analysis view, and `watchView` reports pushed
 * views, reopens the port after it closes or stays silent, and stops when told to.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AnalysisView } from '../../src/shared/types.ts';

type Listener = (message: unknown, sender: unknown, sendResponse: (r: unknown) => void) => boolean | void;
const listeners: Listener[] = [];
/** A minimal chrome.runtime: delivers sendMessage to the registered listeners like Chrome does. */
(globalThis as { chrome?: unknown }).chrome = {
  runtime: {
    id: 'unit-test',
    getURL: (p: string) => `chrome-extension://unit-test/${p}`,
    onMessage: {
      addListener: (l: Listener) => listeners.push(l),
      removeListener: (l: Listener) => listeners.splice(listeners.indexOf(l), 1),
      hasListener: (l: Listener) => listeners.includes(l),
    },
    sendMessage: (message: unknown, callback: (r: unknown) => void) => {
      const sender = { id: 'unit-test', url: 'chrome-extension://unit-test/popup.html' };
      let answered = false;
      for (const l of [...listeners]) {
        const keep = l(message, sender, (r) => {
          answered = true;
          callback(r);
        });
        if (keep === true || answered) return;
      }
      (globalThis as any).chrome.runtime.lastError = { message: 'Could not establish connection. Receiving end does not exist.' };
      callback(undefined);
      delete (globalThis as any).chrome.runtime.lastError;
    },
  },
};

const { listen, send, isExtensionPage } = await import('../../src/shared/messages.ts');
const { parseViewPortMessage, viewMessage, watchView, VIEW_ANSWER_TIMEOUT_MS, VIEW_RECONNECT_MS, VIEW_RECONNECT_MAX_MS } = await import('../../src/shared/view-port.ts');

test('a handler answers its own messages; send() returns the typed response', async () => {
  const calls: string[] = [];
  const stop = listen('bg', {
    'bg/start': async ({ tabId }) => (tabId > 0 ? { ok: true } : Promise.reject(new Error(`bad tab ${tabId}`))),
    'bg/stop': async () => ({ ok: true }),
    'bg/resume': async () => ({ ok: true }),
    'bg/set-retention': async () => ({ deleted: 0 }),
    'bg/set-options': async (o) => ({ overlays: false, paused: false, onlyMe: false, baseline: false, ...o }),
    'bg/exclude-participant': async () => ({ ok: true }),
    'bg/rename-participant': async () => ({ ok: true }),
    'bg/tiles': async () => void calls.push('tiles'),
    'bg/offscreen-ready': async () => void calls.push('ready'),
    'bg/live': async () => undefined,
    'bg/offscreen-error': async () => undefined,
  });
  try {
    assert.deepEqual(await send('bg/start', { tabId: 3 }), { ok: true });
    await assert.rejects(send('bg/start', { tabId: -1 }), /bg\/start: bad tab -1/);
    assert.deepEqual(await send('bg/set-options', { onlyMe: true }), { overlays: false, paused: false, onlyMe: true, baseline: false });
  } finally {
    stop();
  }
  assert.equal(listeners.length, 0, 'the stop function removes the listener');
});

test('messages for another receiver are not answered (so that receiver can answer)', async () => {
  const stop = listen('content', { 'content/start': async () => ({ ok: true }), 'content/stop': async () => {}, 'content/set-options': async () => {}, 'content/live': async () => {}, 'content/read-frames': async () => ({ frames: [] }) });
  try {
    await assert.rejects(send('bg/stop', {}), /Receiving end does not exist/);
  } finally {
    stop();
  }
});

test('a rejected sender gets an error and the handler never runs', async () => {
  let ran = false;
  const stop = listen(
    'offscreen',
    {
      'offscreen/start': async () => ({ ok: true }),
      'offscreen/stop': async () => {
        ran = true;
        return { ok: true };
      },
      'offscreen/tiles': async () => {},
      'offscreen/set-options': async () => {},
      'offscreen/get-live': async () => null,
      'offscreen/set-listening': async () => {},
      'offscreen/exclude': async () => {},
    },
    () => 'not an extension page',
  );
  try {
    await assert.rejects(send('offscreen/stop', {}), /sender rejected: not an extension page/);
    assert.equal(ran, false);
  } finally {
    stop();
  }
});

test('isExtensionPage accepts only this extension’s pages', () => {
  const origin = 'chrome-extension://unit-test/';
  assert.equal(isExtensionPage({ url: 'chrome-extension://unit-test/popup.html' }, origin), true);
  assert.equal(isExtensionPage({ url: 'https://meet.google.com/abc-defg-hij', tab: { id: 4 } }, origin), false);
  assert.equal(isExtensionPage({ url: 'chrome-extension://someone-else/popup.html' }, origin), false);
  assert.equal(isExtensionPage({}, origin), false);
});

const IDLE: AnalysisView = { state: 'idle', tabId: null, meetingId: null, options: { overlays: true, paused: false, onlyMe: false, baseline: false }, adapter: null, site: null, stats: null, participants: [], message: null, liveAt: null, notRecording: null, lastMeetingId: null, resumable: false };
const RUNNING: AnalysisView = {
  ...IDLE,
  state: 'running',
  tabId: 7,
  meetingId: 'm-1',
  adapter: 'meet',
  fallbackFrom: null,
  site: 'meet.google.com',
  stats: { backend: 'wasm', backendReason: 'only backend', fps: 9.5, inferenceMs: 40, latencyMs: 60 },
  participants: [
    {
      id: 'p1',
      name: 'Ada',
      isSelf: false,
      analysed: true,
      faceVisible: true,
      probabilities: { angry: 0, disgust: 0, fear: 0, happy: 0.9, sad: 0, surprise: 0, neutral: 0.1 },
      dominant: 'happy',
      confidence: 0.9,
      faceBox: { x: 1, y: 2, width: 30, height: 40 },
      frameTime: 1_700_000_000_000,
      gap: null,
      updateHz: 9.5,
      qualityLimit: null,
      valence: 0.7,
      arousal: 0.4,
      attending: true,
      speaking: true,
      speakingSource: 'site',
      quality: 0.9,
      baseline: null,
    },
  ],
};

test('parseViewPortMessage accepts a whole view and names what is wrong with anything else', () => {
  assert.deepEqual(parseViewPortMessage(viewMessage(RUNNING)), { ok: true, message: viewMessage(RUNNING) });
  assert.equal(parseViewPortMessage(viewMessage(IDLE)).ok, true);
  const bad = (value: unknown): string => {
    const parsed = parseViewPortMessage(value);
    assert.equal(parsed.ok, false, JSON.stringify(value));
    return parsed.ok ? '' : parsed.error;
  };
  assert.match(bad({ ...viewMessage(IDLE), name: 'popup/other' }), /not an analysis view/);
  assert.match(bad({ name: 'popup/view', payload: IDLE }), /callmood/, 'the envelope marker is required');
  assert.match(bad(viewMessage({ ...IDLE, state: 'paused' as never })), /state/);
  assert.match(bad(viewMessage({ ...IDLE, participants: undefined as never })), /participants/);
  const noSad = { ...RUNNING.participants[0]!, probabilities: { angry: 0, happy: 1 } as never };
  assert.match(bad(viewMessage({ ...RUNNING, participants: [noSad] })), /probabilities/);
  assert.equal(bad(null).length > 0, true);
});

/** A view port whose other end the test plays: `push` a message, `close` it (as a stopped worker does). */
class FakePort {
  readonly name = 'callmood/view';
  error: { message: string } | null = null;
  disconnected = false;
  private readonly messageListeners: ((message: unknown) => void)[] = [];
  private readonly disconnectListeners: ((port: FakePort) => void)[] = [];
  readonly onMessage = { addListener: (l: (message: unknown) => void) => void this.messageListeners.push(l) };
  readonly onDisconnect = { addListener: (l: (port: FakePort) => void) => void this.disconnectListeners.push(l) };
  postMessage(): void {}
  disconnect(): void {
    this.disconnected = true;
  }
  push(message: unknown): void {
    for (const l of this.messageListeners) l(message);
  }
  close(error?: string): void {
    this.error = error ? { message: error } : null;
    for (const l of this.disconnectListeners) l(this);
  }
}

/** Runs `watchView` on fake ports under mock timers; `log` records what it reports. */
function watchFake() {
  const ports: FakePort[] = [];
  const log: string[] = [];
  const views: AnalysisView[] = [];
  const stop = watchView(
    { view: (v) => void views.push(v), status: (c, e) => void log.push(e ? `${c}: ${e}` : c) },
    { connect: () => ports[ports.push(new FakePort()) - 1]! },
  );
  return { ports, log, views, stop };
}

test('watchView reports each pushed view and reopens the port when the background goes away', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const { ports, log, views, stop } = watchFake();
  assert.equal(ports.length, 1, 'opens a port at once');
  ports[0]!.push(viewMessage(IDLE));
  ports[0]!.push(viewMessage(RUNNING));
  assert.deepEqual(views, [IDLE, RUNNING]);
  assert.deepEqual(log, ['connected', 'connected']);

  ports[0]!.close(); // the service worker stopped
  assert.deepEqual(log.at(-1), 'reconnecting: the background closed the connection');
  assert.equal(ports.length, 1, 'not reopened before the delay');
  t.mock.timers.tick(VIEW_RECONNECT_MS);
  assert.equal(ports.length, 2, 'reopened after the delay');
  ports[1]!.push(viewMessage(RUNNING));
  assert.deepEqual(log.at(-1), 'connected');
  ports[0]!.push(viewMessage(IDLE));
  assert.equal(views.length, 3, 'a closed port is not listened to any more');
  stop();
  assert.equal(ports[1]!.disconnected, true, 'stopping closes the port');
});

test('watchView retries with a growing delay while the port keeps failing, and says why', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const { ports, log, stop } = watchFake();
  const delays: number[] = [];
  for (let i = 0; i < 7; i++) {
    ports.at(-1)!.close('Could not establish connection. Receiving end does not exist.');
    const before = ports.length;
    let waited = 0;
    while (ports.length === before) {
      t.mock.timers.tick(50);
      waited += 50;
    }
    delays.push(waited);
  }
  assert.deepEqual(delays, [100, 200, 400, 800, 1600, 2000, 2000]);
  assert.equal(Math.max(...delays), VIEW_RECONNECT_MAX_MS);
  assert.match(log.at(-1)!, /^reconnecting: the connection to the background closed: Could not establish connection/);
  ports.at(-1)!.push(viewMessage(IDLE));
  ports.at(-1)!.close();
  t.mock.timers.tick(VIEW_RECONNECT_MS);
  assert.equal(ports.length, 9, 'a view resets the delay');
  stop();
});

test('watchView reopens a port that brings no view in time; a message that is not a view is reported', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const { ports, log, views, stop } = watchFake();
  ports[0]!.push({ callmood: 1, name: 'popup/view', payload: { state: 'idle' } });
  assert.match(log.at(-1)!, /^reconnecting: not an analysis view/);
  assert.equal(views.length, 0);
  t.mock.timers.tick(VIEW_ANSWER_TIMEOUT_MS);
  assert.equal(ports[0]!.disconnected, true, 'the silent port is closed');
  assert.equal(log.at(-1), `reconnecting: no view within ${VIEW_ANSWER_TIMEOUT_MS} ms`);
  t.mock.timers.tick(VIEW_RECONNECT_MS);
  assert.equal(ports.length, 2);
  ports[1]!.push(viewMessage(IDLE));
  t.mock.timers.tick(10 * VIEW_ANSWER_TIMEOUT_MS);
  assert.equal(ports.length, 2, 'a port that answered may stay quiet (nothing changes while idle)');
  assert.equal(log.at(-1), 'connected');
  stop();
});

test('after stop, watchView neither reports nor reopens', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const { ports, log, stop } = watchFake();
  stop();
  ports[0]!.close();
  t.mock.timers.tick(10 * VIEW_RECONNECT_MAX_MS);
  assert.equal(ports.length, 1);
  assert.deepEqual(log, []);
});
