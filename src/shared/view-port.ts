/**
 * The view port: a view (the popup) opens a `VIEW_PORT_NAME` port with `watchView()`; the
 * background posts a `ViewPortMessage` with the whole analysis view to each open port
 * whenever the view changes, and nothing while none is open. Every message a view receives
 * is validated.
 */
import browser from 'webextension-polyfill';
import * as z from 'zod/mini';
import { EMOTIONS } from './emotions.ts';
import { GAP_REASONS } from './timeline-records.ts';
import { errorText } from './errors.ts';
import { NAME_SOURCES, type AnalysisView } from './types.ts';

/** Name of the `runtime.connect` port a view (the popup) opens to be sent the analysis view. */
export const VIEW_PORT_NAME = 'callmood/view';

/**
 * What the background posts on a view port (background -> popup). `popup/view`: the whole
 * current view, after each change (live update, start, stop, options, error), and at once to
 * a port that opens. A view sends nothing on the port; its commands go through `send()`.
 */
export type ViewPortMessage = { callmood: 1; name: 'popup/view'; payload: AnalysisView };

/** The `popup/view` message carrying `view`. */
export function viewMessage(view: AnalysisView): ViewPortMessage {
  return { callmood: 1, name: 'popup/view', payload: view };
}

let viewPortSchema: z.ZodMiniType<ViewPortMessage> | undefined;

/**
 * Zod (`zod/mini`) schema of `ViewPortMessage`, built on first use so that the contexts that
 * never receive the view (content script, offscreen document) do not build or bundle it.
 */
function viewPortMessageSchema(): z.ZodMiniType<ViewPortMessage> {
  if (viewPortSchema) return viewPortSchema;
  const adapter = z.enum(['meet', 'zoom', 'teams', 'jitsi', 'generic']);
  const emotion = z.enum(EMOTIONS);
  const rect = z.object({ x: z.number(), y: z.number(), width: z.number(), height: z.number() });
  const participant = z.object({
    id: z.string(),
    name: z.string(),
    nameFrom: z.optional(z.enum(NAME_SOURCES)),
    isSelf: z.boolean(),
    analysed: z.boolean(),
    faceVisible: z.boolean(),
    probabilities: z.nullable(z.record(emotion, z.number())),
    dominant: z.nullable(emotion),
    confidence: z.nullable(z.number()),
    faceBox: z.nullable(rect),
    frameTime: z.number(),
    gap: z.nullable(z.enum(GAP_REASONS)),
    updateHz: z.number(),
    qualityLimit: z.nullable(z.enum(['size', 'pose', 'light', 'blur'])),
    valence: z.nullable(z.number()),
    arousal: z.nullable(z.number()),
    attending: z.nullable(z.boolean()),
    speaking: z.nullable(z.boolean()),
    speakingSource: z.nullable(z.enum(['site', 'face'])),
    quality: z.nullable(z.number()),
    baseline: z.nullable(z.object({ valence: z.number(), change: z.record(emotion, z.number()) })),
  });
  const stats = z.object({
    backend: z.nullable(z.string()),
    backendReason: z.string(),
    fps: z.number(),
    inferenceMs: z.number(),
    latencyMs: z.number(),
  });
  const view = z.object({
    state: z.enum(['idle', 'starting', 'running', 'stopping', 'error']),
    tabId: z.nullable(z.int()),
    meetingId: z.nullable(z.string()),
    options: z.object({ overlays: z.boolean(), paused: z.boolean(), onlyMe: z.boolean(), baseline: z.boolean() }),
    adapter: z.nullable(adapter),
    fallbackFrom: z.optional(z.nullable(adapter)),
    site: z.nullable(z.string()),
    stats: z.nullable(stats),
    participants: z.array(participant),
    message: z.nullable(z.string()),
    liveAt: z.nullable(z.number()),
    notRecording: z.nullable(z.string()),
    lastMeetingId: z.nullable(z.string()),
    resumable: z.boolean(),
  });
  return (viewPortSchema = z.object({ callmood: z.literal(1), name: z.literal('popup/view'), payload: view }));
}

/**
 * Checks a message received on a view port.
 * @returns the message, or the reason it is not a `ViewPortMessage` (zod's list of issues).
 */
export function parseViewPortMessage(value: unknown): { ok: true; message: ViewPortMessage } | { ok: false; error: string } {
  const parsed = viewPortMessageSchema().safeParse(value);
  return parsed.success ? { ok: true, message: parsed.data } : { ok: false, error: `not an analysis view: ${parsed.error.message}` };
}

/** The part of a `runtime.Port` the view port's two ends use. */
export interface ViewPortLike {
  readonly name: string;
  postMessage(message: unknown): void;
  disconnect(): void;
  onMessage: { addListener(listener: (message: unknown) => void): void };
  onDisconnect: { addListener(listener: (port: ViewPortLike) => void): void };
  /** Firefox: why the port closed, or null; Chrome reports it in `chrome.runtime.lastError`. */
  error?: { message?: string } | null;
}

/**
 * How a view's link to the background stands: `connecting` until the first view arrives,
 * `connected` while views arrive, `reconnecting` after the port closed (the service worker
 * stopped), stayed silent or sent something that is not a view.
 */
export type ViewConnection = 'connecting' | 'connected' | 'reconnecting';

/** What `watchView` reports. */
export interface ViewEvents {
  /** A valid view arrived. */
  view(view: AnalysisView): void;
  /** The link changed; `error` says why it is `reconnecting` (null otherwise). */
  status(connection: ViewConnection, error: string | null): void;
}

/** A view port that brings no view within this many ms of opening is closed and opened again. */
export const VIEW_ANSWER_TIMEOUT_MS = 2000;
/** Delay before the first reopening of a closed view port, ms; doubled after each failed try. */
export const VIEW_RECONNECT_MS = 100;
/** Longest delay between two tries to reopen the view port, ms. */
export const VIEW_RECONNECT_MAX_MS = 2000;

/** Tuning and the port opener of `watchView` (tests replace `connect` and the times). */
export interface WatchViewOptions {
  /** Opens a view port; `browser.runtime.connect({ name: VIEW_PORT_NAME })` by default. */
  connect?: () => ViewPortLike;
  /** `VIEW_ANSWER_TIMEOUT_MS` by default. */
  answerTimeoutMs?: number;
  /** `VIEW_RECONNECT_MS` by default. */
  reconnectMs?: number;
  /** `VIEW_RECONNECT_MAX_MS` by default. */
  reconnectMaxMs?: number;
}

/**
 * Opens a view port to the background and reports each view it pushes, until the returned
 * function is called. When the port closes (a service-worker restart), brings no view within
 * `answerTimeoutMs`, or cannot be opened, reports `reconnecting` with the reason and opens a
 * new port after `reconnectMs` (doubling per failed try, at most `reconnectMaxMs`); opening a
 * port wakes a stopped service worker, which answers with the current view. A message that is
 * not a view is reported as `reconnecting` and otherwise ignored.
 */
export function watchView(events: ViewEvents, options: WatchViewOptions = {}): () => void {
  const {
    connect = () => browser.runtime.connect({ name: VIEW_PORT_NAME }),
    answerTimeoutMs = VIEW_ANSWER_TIMEOUT_MS,
    reconnectMs = VIEW_RECONNECT_MS,
    reconnectMaxMs = VIEW_RECONNECT_MAX_MS,
  } = options;
  let stopped = false;
  let port: ViewPortLike | null = null;
  let failures = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const retry = (error: string): void => {
    port = null;
    clearTimeout(timer);
    if (stopped) return;
    events.status('reconnecting', error);
    timer = setTimeout(open, Math.min(reconnectMaxMs, reconnectMs * 2 ** failures++));
  };

  const open = (): void => {
    if (stopped) return;
    let opened: ViewPortLike;
    try {
      opened = connect();
    } catch (err) {
      return retry(`cannot reach the background: ${errorText(err)}`);
    }
    port = opened;
    let answered = false;
    timer = setTimeout(() => {
      if (port !== opened) return;
      opened.disconnect();
      retry(`no view within ${answerTimeoutMs} ms`);
    }, answerTimeoutMs);
    opened.onMessage.addListener((message) => {
      if (port !== opened) return;
      const parsed = parseViewPortMessage(message);
      if (!parsed.ok) return events.status('reconnecting', parsed.error);
      if (!answered) {
        answered = true;
        failures = 0;
        clearTimeout(timer);
      }
      events.view(parsed.message.payload);
      events.status('connected', null);
    });
    opened.onDisconnect.addListener((closed) => {
      if (port !== opened) return;
      // Chrome reports why in runtime.lastError (read here, or it logs "Unchecked lastError").
      const reason = closed.error?.message ?? (globalThis as { chrome?: typeof chrome }).chrome?.runtime?.lastError?.message;
      retry(reason ? `the connection to the background closed: ${reason}` : 'the background closed the connection');
    });
  };

  open();
  return () => {
    stopped = true;
    clearTimeout(timer);
    port?.disconnect();
    port = null;
  };
}
