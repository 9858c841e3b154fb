/**
 * The message contract's transport: `listen()` dispatches by receiver prefix, ignores other
 * receivers' and unknown messages, checks the sender, and turns a handler's rejection into
 * `{ ok: false, error }` that `send()` throws again on the other side.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';

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

test('a handler answers its own messages; send() returns the typed response', async () => {
  const calls: string[] = [];
  const stop = listen('bg', {
    'bg/get-state': async () => ({ state: 'idle', tabId: null, meetingId: null, options: { overlays: true, paused: false, onlyMe: false }, adapter: null, site: null, stats: null, participants: [], message: null }),
    'bg/start': async ({ tabId }) => (tabId > 0 ? { ok: true } : Promise.reject(new Error(`bad tab ${tabId}`))),
    'bg/stop': async () => ({ ok: true }),
    'bg/set-options': async (o) => ({ overlays: false, paused: false, onlyMe: false, ...o }),
    'bg/tiles': async () => void calls.push('tiles'),
    'bg/offscreen-ready': async () => void calls.push('ready'),
    'bg/live': async () => undefined,
    'bg/offscreen-error': async () => undefined,
  });
  try {
    assert.equal((await send('bg/get-state', {})).options.overlays, true);
    assert.deepEqual(await send('bg/start', { tabId: 3 }), { ok: true });
    await assert.rejects(send('bg/start', { tabId: -1 }), /bg\/start: bad tab -1/);
    assert.deepEqual(await send('bg/set-options', { onlyMe: true }), { overlays: false, paused: false, onlyMe: true });
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
