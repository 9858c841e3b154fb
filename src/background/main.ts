/**
 * Background service worker: starts and stops analysis on the toolbar action (popup
 * "Start" button) or the keyboard command, gets the tab-capture stream id, owns the
 * offscreen document's lifetime and routes messages between the popup, the call page's
 * content script and the offscreen document. Which tab is analysed lives in
 * `chrome.storage.session`, so a service-worker restart loses nothing. Where the inference
 * runs is this build's `AnalysisHost` (Chrome: the offscreen document; Firefox: this page).
 * The start/stop/view logic is `AnalysisControl`; this module wires it to the browser: the
 * message handlers, the view ports the popup opens, the keyboard command and tab events.
 */
import browser from 'webextension-polyfill';
import { isExtensionPage, listen, sendToTab, type Handlers } from '../shared/messages.ts';
import { VIEW_PORT_NAME } from '../shared/view-port.ts';
import type { AnalysisOptions } from '../shared/types.ts';
import { AnalysisControl } from './analysis-control.ts';
import { analysisHost } from './analysis-host.ts';
import { offscreenDocuments } from './offscreen-document.ts';
import { loadDevConfig, loadLastMeetingId, loadOptions, loadSession, saveLastMeetingId, saveOptions, saveSession } from './session.ts';
import { withTimelineStore } from '../shared/timeline-store.ts';
import { applyRetention, loadRetention, saveRetention, type RetentionDays } from '../shared/retention.ts';
import { HOST_PORT_NAME } from '../shared/host-port.ts';
import { setupHousekeeping } from './housekeeping.ts';

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

const control = new AnalysisControl({
  host: analysisHost,
  storage: { loadSession, saveSession, loadOptions, saveOptions, loadDevConfig, loadLastMeetingId, saveLastMeetingId },
  tab: {
    inject: injectContentScript,
    stop: (tabId) => sendToTab(tabId, 'content/stop', {}),
    setOptions: (tabId, options) => sendToTab(tabId, 'content/set-options', options),
    showLive: (tabId, participants, excluded) => sendToTab(tabId, 'content/live', { participants, excluded }),
  },
  badge: setBadge,
  newMeetingId: () => crypto.randomUUID(),
  endOpenMeetings: () => withTimelineStore((store) => store.endOpenMeetings(null, Date.now())).then(() => {}),
  deleteParticipantRecords: (meetingId, participantId) => withTimelineStore((store) => store.excludeParticipant(meetingId, participantId)).then(() => {}),
});

const handlers = {
  'bg/start': ({ tabId }) => control.start(tabId),
  'bg/stop': () => control.stop(),
  'bg/resume': () => control.resume(),
  async 'bg/set-retention'({ days }) {
    await saveRetention(days);
    return { deleted: (await retain(days)).length };
  },
  'bg/set-options': (partial) => control.setOptions(partial),
  'bg/exclude-participant': ({ participantId, deleteRecords }) => control.excludeParticipant(participantId, deleteRecords),
  'bg/rename-participant': ({ participantId, name }) => control.renameParticipant(participantId, name),
  'bg/tiles': (snapshot, sender) => control.tilesUpdate(snapshot, sender.tab?.id),
  async 'bg/offscreen-ready'() {
    offscreenDocuments.ready();
  },
  'bg/live': (update) => control.liveUpdate(update),
  'bg/offscreen-error': ({ error }) => control.failed(error),
} satisfies Handlers<'bg'>;

const CONTENT_ROUTES = new Set(['bg/tiles']);

listen('bg', handlers, (name, sender) => {
  if (CONTENT_ROUTES.has(name)) return sender.tab?.id !== undefined ? null : 'content routes come from a tab';
  return isExtensionPage(sender) ? null : 'not an extension page';
});

// Ports: only this extension's pages may open one; a content script's is closed. The popup
// opens a view port; the offscreen document holds a host port for as long as it lives, so its
// death (closed, crashed, killed for memory) is seen at once.
browser.runtime.onConnect.addListener((port) => {
  if (port.name !== VIEW_PORT_NAME && port.name !== HOST_PORT_NAME) return;
  if (!isExtensionPage(port.sender ?? {})) {
    port.disconnect();
    return;
  }
  if (port.name === VIEW_PORT_NAME) port.onDisconnect.addListener(control.connect(port));
  else port.onDisconnect.addListener(() => void hostPortClosed());
});

/** The offscreen document's host port closed: when the document is gone, its analysis died. */
async function hostPortClosed(): Promise<void> {
  // The port can close a moment before the document leaves chrome.runtime.getContexts.
  for (let attempt = 0; attempt < 3; attempt++) {
    if (!(await offscreenDocuments.exists())) return control.hostLost('its offscreen document closed');
    await new Promise((ok) => setTimeout(ok, 150));
  }
}

chrome.commands.onCommand.addListener((command, tab) => {
  if (command !== 'toggle-analysis') return;
  void (async () => {
    const tabId = tab?.id ?? (await browser.tabs.query({ active: true, currentWindow: true }))[0]?.id;
    await control.toggle(tabId);
  })().catch((err) => console.error('[CallMood] command failed', err));
});

// Daily retention alarm and the toolbar button's "Meetings" menu item (housekeeping.ts).
setupHousekeeping();

browser.tabs.onRemoved.addListener((tabId) => {
  control.tabRemoved(tabId).catch((err) => console.error('[CallMood] stop on tab close failed', err));
});

browser.tabs.onUpdated.addListener((tabId, info) => {
  if (info.status !== 'complete') return;
  control.tabLoaded(tabId).catch((err) => console.error('[CallMood] re-injection failed', err));
});

/** Deletes the meetings older than the retention setting (see shared/retention.ts). */
function retain(days: RetentionDays): Promise<string[]> {
  return withTimelineStore((store) => applyRetention(store, days, Date.now()));
}

// On (re)start of the service worker: reconcile the stored session with reality, and let go
// of the meetings older than the user keeps them.
control.restore().catch((err) => console.error('[CallMood] restore failed', err));
loadRetention()
  .then(retain)
  .catch((err) => console.error('[CallMood] retention failed', err));
