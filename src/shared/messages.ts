/**
 * The one message contract between CallMood's contexts.
 *
 * A message name is `<receiver>/<action>`; the receiver prefix says which context
 * handles it: `bg/` the service worker, `offscreen/` the offscreen document,
 * `content/` the call page's content script, `popup/` a view (the popup) on its port.
 * Every message carries only plain data: rects in CSS px, probabilities
 * in [0, 1], times in ms since the epoch.
 *
 * Requests go through `send()` / `sendToTab()` and `listen()`. The view is pushed over a port
 * (view-port.ts): the background posts the view to each open port whenever it changes, and
 * nothing while none is open.
 */
import browser from 'webextension-polyfill';
import type {
  AnalysisOptions,
  ParticipantLive,
  PipelineStats,
  TilesSnapshot,
} from './types.ts';

/** Result of a command that can fail in a way the user must be told about. */
export type Outcome = { ok: true } | { ok: false; error: string };

/** Live results published by the offscreen document after each analysed frame. */
export interface LiveUpdate {
  tabId: number;
  meetingId: string;
  stats: PipelineStats;
  participants: ParticipantLive[];
  /** Notice for the user (e.g. "only me: no self view found"), or null. */
  message: string | null;
  /** ms since the epoch when this update was made. */
  publishedAt: number;
  /** Why the timeline is not being written, or null while it is. */
  notRecording: string | null;
}

/**
 * Why the content script could not give a tile's pixels (Firefox's `content/read-frames`):
 * - `tainted`: the tile's video or canvas comes from another origin without CORS, so the
 *   browser forbids reading it (`getImageData` throws SecurityError);
 * - `blank`: the tile reads back fully transparent (a WebGL canvas drawn without
 *   `preserveDrawingBuffer` is cleared after each paint);
 * - `not-ready`: the video has no frame yet (no size, or `readyState` < HAVE_CURRENT_DATA);
 * - `gone`: no tile with that id is on the page any more, or it has no size.
 */
export type TileFrameProblem = 'tainted' | 'blank' | 'not-ready' | 'gone';

/** RGBA pixels, row-major, 4 bytes per pixel (`data.length` = width x height x 4). */
export interface RgbaPixels {
  width: number;
  height: number;
  data: Uint8ClampedArray<ArrayBuffer>;
}

/**
 * One tile's pixels as the call page shows them (object-fit and a mirrored self view
 * applied), scaled so the longer side is at most the requested `maxSide` px. Typed arrays
 * cross contexts only in Firefox, whose runtime messaging structured-clones (an `ImageData`
 * itself does not: Firefox's extension messaging refuses to clone DOM objects); Chrome's
 * messaging is JSON and never carries it (Chrome reads pixels from tab capture instead).
 */
export interface TileFrame {
  /** The tile's participant id, as in TilesSnapshot. */
  id: string;
  /** The pixels, or null when `problem` says why there are none. */
  image: RgbaPixels | null;
  problem: TileFrameProblem | null;
}

/** What an analysis host needs to start analysing a tab. */
export interface HostStartRequest {
  tabId: number;
  meetingId: string;
  /** ms since the epoch. */
  startedAt: number;
  options: AnalysisOptions;
  /** The latest tile snapshot of the tab, or null when none arrived yet. */
  tiles: TilesSnapshot | null;
  /** Whether anyone looks at the live view from the start (see `offscreen/set-listening`). */
  listening: boolean;
  /** Developer overrides of the inference configuration (benchmarks); validated by the host. */
  configOverrides: Record<string, unknown>;
  /**
   * True when this goes on with a stored meeting (its host died and was restarted, or the
   * user pressed Resume): the meeting keeps its participants and its seconds, and the seconds
   * missed meanwhile are recorded as `not-recording`.
   */
  resume: boolean;
  /**
   * Participant ids the user excluded from this meeting (`bg/exclude-participant`): their tiles
   * are not analysed, shown or recorded. Carried on every restart of the same meeting.
   */
  excluded: string[];
}

/** Map of message name to request and response types. */
export interface MessageMap {
  // popup -> background (the view itself comes on the view port, see ViewPortMessage)
  'bg/start': { request: { tabId: number }; response: Outcome };
  'bg/stop': { request: Record<string, never>; response: Outcome };
  'bg/set-options': { request: Partial<AnalysisOptions>; response: AnalysisOptions };
  /** Stores how long meetings are kept (days, or null: until the user deletes them) and applies it now; answers how many meetings were deleted. */
  'bg/set-retention': { request: { days: number | null }; response: { deleted: number } };
  /** Resumes, on the same meeting, an analysis stopped by a fault (`AnalysisView.resumable`). */
  'bg/resume': { request: Record<string, never>; response: Outcome };
  /**
   * Stops analysing participant `participantId` for the rest of the current meeting (no
   * overlay, no new seconds, gone from the live view); with `deleteRecords`, also deletes their
   * recorded seconds and blanks their name (`TimelineStore.excludeParticipant`). The error
   * outcome says why: nothing is analysed, or what failed (the exclusion itself is kept even
   * when the host or the deletion failed: a restarted host gets it).
   */
  'bg/exclude-participant': { request: { participantId: string; deleteRecords: boolean }; response: Outcome };
  /**
   * Names participant `participantId` of the current meeting `name` by hand (an empty name goes
   * back to the page's): it wins over the page's name from now on, in the live view, the
   * overlays, the records and the meeting's participant list (so in the report and the
   * exports), and a restarted host keeps it. The error outcome says why not: nothing is
   * analysed, or the participant is a person of a shared video (named after the video).
   */
  'bg/rename-participant': { request: { participantId: string; name: string }; response: Outcome };
  // content -> background
  'bg/tiles': { request: TilesSnapshot; response: void };
  // offscreen -> background
  'bg/offscreen-ready': { request: Record<string, never>; response: void };
  'bg/live': { request: LiveUpdate; response: void };
  'bg/offscreen-error': { request: { error: string }; response: void };
  // background -> offscreen
  'offscreen/start': {
    /** `streamId`: the tab capture stream id, single-use, expiring within seconds. */
    request: HostStartRequest & { streamId: string };
    response: Outcome;
  };
  'offscreen/stop': { request: Record<string, never>; response: Outcome };
  'offscreen/tiles': { request: TilesSnapshot; response: void };
  'offscreen/set-options': { request: AnalysisOptions; response: void };
  /** Stops analysing participant `participantId` for the rest of the meeting (see `bg/exclude-participant`). */
  'offscreen/exclude': { request: { participantId: string }; response: void };
  'offscreen/get-live': { request: Record<string, never>; response: LiveUpdate | null };
  /** Whether anyone looks at the live view (a popup is open, or overlays are on): `bg/live` is sent only then. */
  'offscreen/set-listening': { request: { listening: boolean }; response: void };
  // background -> content
  'content/start': { request: { options: AnalysisOptions }; response: Outcome };
  'content/stop': { request: Record<string, never>; response: void };
  'content/set-options': { request: AnalysisOptions; response: void };
  'content/live': { request: { participants: ParticipantLive[]; excluded?: string[] }; response: void };
  /** Firefox only: the current pixels of the tiles `ids`, each at most `maxSide` px on its longer side. */
  'content/read-frames': { request: { ids: string[]; maxSide: number }; response: { frames: TileFrame[] } };
}

export type MessageName = keyof MessageMap;
export type RequestOf<N extends MessageName> = MessageMap[N]['request'];
export type ResponseOf<N extends MessageName> = MessageMap[N]['response'];

/** The envelope that travels through `runtime.sendMessage` / `tabs.sendMessage`. */
export interface Envelope<N extends MessageName = MessageName> {
  callmood: 1;
  name: N;
  payload: RequestOf<N>;
}

/** Names handled by the context whose prefix is `P` (`'bg'`, `'offscreen'`, `'content'`). */
export type NamesFor<P extends string> = Extract<MessageName, `${P}/${string}`>;

/** The minimal sender information handlers check (a subset of `chrome.runtime.MessageSender`). */
export interface Sender {
  id?: string;
  url?: string;
  tab?: { id?: number };
}

/** A handler map for the messages of one receiver; check it with `satisfies Handlers<'bg'>`. */
export type Handlers<P extends string> = {
  [N in NamesFor<P>]: (payload: RequestOf<N>, sender: Sender) => Promise<ResponseOf<N>>;
};

/** Builds a message envelope. */
export function envelope<N extends MessageName>(name: N, payload: RequestOf<N>): Envelope<N> {
  return { callmood: 1, name, payload };
}

/** True when `value` looks like a CallMood envelope whose name starts with `prefix/`. */
export function isEnvelopeFor(value: unknown, prefix: string): value is Envelope {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<Envelope>;
  return v.callmood === 1 && typeof v.name === 'string' && v.name.startsWith(`${prefix}/`) && 'payload' in v;
}

/**
 * Sends a message to the extension's own contexts (`chrome.runtime.sendMessage`) and
 * returns the typed response.
 * @throws Error when nobody receives it ("Receiving end does not exist") or the handler failed.
 */
export async function send<N extends MessageName>(name: N, payload: RequestOf<N>): Promise<ResponseOf<N>> {
  const reply = await browser.runtime.sendMessage<Envelope<N>, Reply<ResponseOf<N>> | undefined>(envelope(name, payload));
  return unwrap(name, reply);
}

/**
 * Sends a message to the content script of tab `tabId` (`chrome.tabs.sendMessage`).
 * @throws Error when the tab has no content script or the handler failed.
 */
export async function sendToTab<N extends NamesFor<'content'>>(
  tabId: number,
  name: N,
  payload: RequestOf<N>,
): Promise<ResponseOf<N>> {
  const reply = await browser.tabs.sendMessage<Envelope<N>, Reply<ResponseOf<N>> | undefined>(tabId, envelope(name, payload));
  return unwrap(name, reply);
}

type Reply<T> = { ok: true; value: T } | { ok: false; error: string };

function unwrap<T>(name: string, reply: Reply<T> | undefined): T {
  if (reply === undefined) return undefined as T; // handlers with a void response may not answer
  if (!reply.ok) throw new Error(`${name}: ${reply.error}`);
  return reply.value;
}

/**
 * Installs `handlers` as the `chrome.runtime.onMessage` listener of one context.
 * Messages for other receivers and unknown names are ignored (not answered), so several
 * contexts can listen at once. A handler's rejection is sent back as `{ ok: false, error }`.
 * `accept` lets the context reject a sender (returns a reason string to reject, or null).
 * Returns a function that removes the listener.
 */
export function listen<P extends 'bg' | 'offscreen' | 'content'>(
  prefix: P,
  handlers: Handlers<P>,
  accept: (name: NamesFor<P>, sender: Sender) => string | null = () => null,
): () => void {
  const listener = (message: unknown, sender: browser.Runtime.MessageSender): Promise<unknown> | undefined => {
    if (!isEnvelopeFor(message, prefix)) return undefined;
    const name = message.name as NamesFor<P>;
    const handler = (handlers as Record<string, ((p: unknown, s: Sender) => Promise<unknown>) | undefined>)[name];
    if (!handler) return undefined;
    const rejected = accept(name, sender);
    if (rejected) return Promise.resolve({ ok: false, error: `sender rejected: ${rejected}` });
    return handler(message.payload, sender).then(
      (value) => ({ ok: true, value }),
      (err: unknown) => ({ ok: false, error: err instanceof Error ? err.message : String(err) }),
    );
  };
  browser.runtime.onMessage.addListener(listener);
  return () => browser.runtime.onMessage.removeListener(listener);
}

/**
 * True when `sender` is one of this extension's own pages (popup, offscreen); a content
 * script's sender URL is the call page's, so it never passes.
 */
export function isExtensionPage(sender: Sender, extensionOrigin: string = browser.runtime.getURL('')): boolean {
  return typeof sender.url === 'string' && sender.url.startsWith(extensionOrigin);
}

