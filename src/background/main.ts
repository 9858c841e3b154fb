/**
 * Background service worker: starts and stops analysis on the toolbar action (popup
 * "Start" button) or the keyboard command, gets the tab-capture stream id, owns the
 * offscreen document's lifetime and routes messages between the popup, the call page's
 * content script and the offscreen document. Which tab is analysed lives in
 * `chrome.storage.session`, so a service-worker restart loses nothing. Where the inference
 * runs is this build's `AnalysisHost` (Chrome: the offscreen document; Firefox: this page).
 */
import browser from 'webextension-polyfill';
import { isExtensionPage, listen, sendToTab, type Handlers, type LiveUpdate, type Outcome } from '../shared/messages.ts';
import type { AnalysisOptions, AnalysisView, TilesSnapshot } from '../shared/types.ts';
import { analysisHost, type HostSinks } from './analysis-host.ts';
import { offscreenReady } from './offscreen-document.ts';
import { loadDevConfig, loadOptions, loadSession, saveOptions, saveSession, type Session } from './session.ts';

let live: LiveUpdate | null = null;
let tiles: TilesSnapshot | null = null;
let lastError: string | null = null;
let starting = false;

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

async function setBadge(on: boolean): Promise<void> {
  await chrome.action.setBadgeText({ text: on ? 'ON' : '' });
  if (on) await chrome.action.setBadgeBackgroundColor({ color: '#2e7d32' });
  await chrome.action.setTitle({ title: on ? 'CallMood: analysing this tab (click to see or stop)' : 'CallMood' });
}

async function injectContentScript(tabId: number, options: AnalysisOptions): Promise<void> {
  await chrome.scripting.executeScript({ target: { tabId }, files: ['content.js'] });
  const started = await sendToTab(tabId, 'content/start', { options });
  if (!started.ok) throw new Error(started.error);
}

async function startAnalysis(tabId: number): Promise<Outcome> {
  if (starting) return { ok: false, error: 'already starting' };
  starting = true;
  lastError = null;
  try {
    const current = await loadSession();
    if (current) await stopAnalysis();
    const tab = await browser.tabs.get(tabId);
    const options: AnalysisOptions = { ...(await loadOptions()), paused: false };
    const session: Session = { tabId, meetingId: crypto.randomUUID(), startedAt: Date.now(), options, state: 'starting', windowId: tab.windowId ?? null };
    await saveSession(session);
    tiles = null;
    live = null;
    await injectContentScript(tabId, options);
    const configOverrides = await loadDevConfig();
    const request = { tabId, meetingId: session.meetingId, startedAt: session.startedAt, options, tiles, configOverrides };
    const outcome = await analysisHost().start(request, hostSinks);
    if (!outcome.ok) throw new Error(outcome.error);
    // Options may have changed while starting (popup toggles): keep them, change only the state.
    const latest = await loadSession();
    await saveSession({ ...(latest?.meetingId === session.meetingId ? latest : session), state: 'running' });
    await setBadge(true);
    return { ok: true };
  } catch (err) {
    lastError = errorText(err);
    await stopAnalysis(lastError);
    return { ok: false, error: lastError };
  } finally {
    starting = false;
  }
}

async function stopAnalysis(error: string | null = null): Promise<Outcome> {
  const session = await loadSession();
  await saveSession(null);
  live = null;
  tiles = null;
  lastError = error;
  await setBadge(false);
  const problems: string[] = [];
  await analysisHost().stop().catch((e: unknown) => problems.push(errorText(e)));
  if (session) await sendToTab(session.tabId, 'content/stop', {}).catch(() => {}); // the tab may be gone
  return problems.length ? { ok: false, error: problems.join('; ') } : { ok: true };
}

async function view(): Promise<AnalysisView> {
  const session = await loadSession();
  if (session && session.state === 'running' && !live) {
    // After a service-worker restart the offscreen document still holds the live state.
    live = await analysisHost().live().catch(() => null);
  }
  return {
    state: starting || session?.state === 'starting' ? 'starting' : session ? 'running' : lastError ? 'error' : 'idle',
    tabId: session?.tabId ?? null,
    meetingId: session?.meetingId ?? null,
    options: session?.options ?? (await loadOptions()),
    adapter: tiles?.adapter ?? null,
    fallbackFrom: tiles?.fallbackFrom ?? null,
    site: tiles?.site ?? null,
    stats: live?.stats ?? null,
    participants: session ? live?.participants ?? [] : [],
    message: lastError ?? live?.message ?? null,
  };
}

const handlers = {
  async 'bg/get-state'() {
    return view();
  },
  async 'bg/start'({ tabId }) {
    return startAnalysis(tabId);
  },
  async 'bg/stop'() {
    return stopAnalysis();
  },
  async 'bg/set-options'(partial) {
    const session = await loadSession();
    const options: AnalysisOptions = { ...(session?.options ?? (await loadOptions())), ...partial };
    await saveOptions(options);
    if (!session) return options;
    await saveSession({ ...session, options });
    await analysisHost().setOptions(options).catch(() => {});
    await sendToTab(session.tabId, 'content/set-options', options).catch(() => {});
    if (options.overlays && live) await sendToTab(session.tabId, 'content/live', { participants: live.participants }).catch(() => {});
    return options;
  },
  async 'bg/tiles'(snapshot, sender) {
    const session = await loadSession();
    if (!session || sender.tab?.id !== session.tabId) return;
    tiles = snapshot;
    if (session.state === 'running') await analysisHost().setTiles(snapshot).catch(() => {});
  },
  async 'bg/offscreen-ready'() {
    offscreenReady();
  },
  async 'bg/live'(update) {
    const session = await loadSession();
    if (!session || update.meetingId !== session.meetingId) return;
    live = update;
    if (session.options.overlays) await sendToTab(session.tabId, 'content/live', { participants: update.participants }).catch(() => {});
  },
  async 'bg/offscreen-error'({ error }) {
    await stopAnalysis(error);
  },
} satisfies Handlers<'bg'>;

/** A host in the background itself (Firefox) reports like the offscreen document's messages. */
const hostSinks: HostSinks = {
  live: (update) => handlers['bg/live'](update),
  failed: (error) => handlers['bg/offscreen-error']({ error }),
};

const CONTENT_ROUTES = new Set(['bg/tiles']);

listen('bg', handlers, (name, sender) => {
  if (CONTENT_ROUTES.has(name)) return sender.tab?.id !== undefined ? null : 'content routes come from a tab';
  return isExtensionPage(sender) ? null : 'not an extension page';
});

chrome.commands.onCommand.addListener((command, tab) => {
  if (command !== 'toggle-analysis') return;
  void (async () => {
    const session = await loadSession();
    const tabId = tab?.id ?? (await browser.tabs.query({ active: true, currentWindow: true }))[0]?.id;
    if (session && (tabId === undefined || session.tabId === tabId)) await stopAnalysis();
    else if (tabId !== undefined) await startAnalysis(tabId);
  })().catch((err) => console.error('[CallMood] command failed', err));
});

browser.tabs.onRemoved.addListener((tabId) => {
  void loadSession().then((s) => (s?.tabId === tabId ? stopAnalysis() : undefined));
});

browser.tabs.onUpdated.addListener((tabId, info) => {
  if (info.status !== 'complete') return;
  void loadSession().then(async (s) => {
    if (s?.tabId !== tabId || s.state !== 'running') return;
    // The page navigated or reloaded: its content script is gone; put it back if we may.
    await injectContentScript(tabId, s.options).catch((err) => stopAnalysis(`The page changed and cannot be analysed any more: ${errorText(err)}`));
  });
});

// On (re)start of the service worker: reconcile the stored session with reality.
void (async () => {
  const session = await loadSession();
  if (!session) return setBadge(false);
  if (!(await analysisHost().running())) {
    await saveSession(null);
    lastError = 'Analysis stopped while CallMood was restarting; start it again.';
    return setBadge(false);
  }
  await setBadge(true);
})().catch((err) => console.error('[CallMood] restore failed', err));
