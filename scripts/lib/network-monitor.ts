/**
 * Counts network requests made by the extension's contexts, over a raw CDP connection to
 * the browser: attaches to every target (existing and new, recursively into their workers),
 * enables the Network domain on each and records `Network.requestWillBeSent`.
 *
 * A request counts as the extension's when the target is a `chrome-extension://` context
 * (service worker, offscreen document, popup) or when a page request's initiator stack
 * points at a `chrome-extension://` script (a content script). Requests for the extension's
 * own files (`chrome-extension://`) and in-memory `data:`/`blob:` URLs are not network
 * traffic and are kept apart.
 */
import WebSocket from 'ws';

/** One request seen. */
export interface SeenRequest {
  url: string;
  targetUrl: string;
  targetType: string;
  fromExtension: boolean;
}

export class NetworkMonitor {
  private ws: WebSocket;
  private nextId = 1;
  private pending = new Map<number, (msg: { result?: unknown; error?: { message: string } }) => void>();
  private sessions = new Map<string, { url: string; type: string; targetId: string }>();
  readonly requests: SeenRequest[] = [];

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data) => this.onMessage(JSON.parse(data.toString())));
  }

  /** Connects to the browser's CDP endpoint and starts watching every target. */
  static async start(wsEndpoint: string): Promise<NetworkMonitor> {
    const ws = new WebSocket(wsEndpoint, { perMessageDeflate: false });
    await new Promise<void>((ok, fail) => {
      ws.once('open', () => ok());
      ws.once('error', fail);
    });
    const m = new NetworkMonitor(ws);
    await m.send('Target.setDiscoverTargets', { discover: true });
    await m.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: true });
    const { targetInfos } = (await m.send('Target.getTargets', {})) as { targetInfos: { targetId: string; type: string; url: string }[] };
    for (const t of targetInfos) {
      if (t.type === 'browser' || t.type === 'tab') continue;
      await m.send('Target.attachToTarget', { targetId: t.targetId, flatten: true }).catch(() => {});
    }
    return m;
  }

  private send(method: string, params: unknown, sessionId?: string): Promise<unknown> {
    const id = this.nextId++;
    this.ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    return new Promise((ok, fail) => {
      this.pending.set(id, (msg) => (msg.error ? fail(new Error(`${method}: ${msg.error.message}`)) : ok(msg.result)));
    });
  }

  private onMessage(msg: { id?: number; method?: string; params?: Record<string, unknown>; sessionId?: string; result?: unknown; error?: { message: string } }): void {
    if (msg.id !== undefined) {
      this.pending.get(msg.id)?.(msg);
      this.pending.delete(msg.id);
      return;
    }
    if (msg.method === 'Target.attachedToTarget') {
      const p = msg.params as { sessionId: string; targetInfo: { url: string; type: string; targetId: string } };
      this.sessions.set(p.sessionId, { url: p.targetInfo.url, type: p.targetInfo.type, targetId: p.targetInfo.targetId });
      const sid = p.sessionId;
      void this.send('Network.enable', {}, sid).catch(() => {});
      void this.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: true }, sid).catch(() => {});
      void this.send('Runtime.runIfWaitingForDebugger', {}, sid).catch(() => {});
    } else if (msg.method === 'Target.targetInfoChanged') {
      const info = (msg.params as { targetInfo: { targetId: string; url: string } }).targetInfo;
      for (const s of this.sessions.values()) if (s.targetId === info.targetId) s.url = info.url;
    } else if (msg.method === 'Network.requestWillBeSent' && msg.sessionId) {
      const target = this.sessions.get(msg.sessionId) ?? { url: '?', type: '?' };
      const p = msg.params as { request: { url: string }; initiator?: { url?: string; stack?: { callFrames: { url: string }[] } } };
      const initiatorUrls = [p.initiator?.url ?? '', ...(p.initiator?.stack?.callFrames ?? []).map((f) => f.url)];
      const fromExtension = target.url.startsWith('chrome-extension://') || initiatorUrls.some((u) => u.startsWith('chrome-extension://'));
      this.requests.push({ url: p.request.url, targetUrl: target.url, targetType: target.type, fromExtension });
    }
  }

  /** Extension requests to anything but the extension's own files or in-memory URLs. */
  outsideRequests(): SeenRequest[] {
    return this.requests.filter((r) => r.fromExtension && !/^(chrome-extension|data|blob):/.test(r.url));
  }

  /** Extension requests to its own files (models, WASM, scripts): proof the monitor sees extension contexts. */
  ownFileRequests(): SeenRequest[] {
    return this.requests.filter((r) => r.fromExtension && r.url.startsWith('chrome-extension://'));
  }

  close(): void {
    this.ws.close();
  }
}
