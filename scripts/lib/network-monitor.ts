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
import { RawCdp, type CdpEvent } from './cdp.ts';

/** One request seen. */
export interface SeenRequest {
  url: string;
  targetUrl: string;
  targetType: string;
  fromExtension: boolean;
}

export class NetworkMonitor {
  private sessions = new Map<string, { url: string; type: string; targetId: string }>();
  readonly requests: SeenRequest[] = [];

  private constructor(private readonly cdp: RawCdp) {
    cdp.onEvent((e) => this.onEvent(e));
  }

  /** Connects to the browser's CDP endpoint and starts watching every target. */
  static async start(wsEndpoint: string): Promise<NetworkMonitor> {
    const m = new NetworkMonitor(await RawCdp.connect(wsEndpoint));
    await m.cdp.send('Target.setDiscoverTargets', { discover: true });
    await m.cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: true });
    const { targetInfos } = await m.cdp.send<{ targetInfos: { targetId: string; type: string; url: string }[] }>('Target.getTargets');
    for (const t of targetInfos) {
      if (t.type === 'browser' || t.type === 'tab') continue;
      await m.cdp.send('Target.attachToTarget', { targetId: t.targetId, flatten: true }).catch(() => {});
    }
    return m;
  }

  private onEvent({ method, params, sessionId }: CdpEvent): void {
    if (method === 'Target.attachedToTarget') {
      const p = params as { sessionId: string; targetInfo: { url: string; type: string; targetId: string } };
      this.sessions.set(p.sessionId, { url: p.targetInfo.url, type: p.targetInfo.type, targetId: p.targetInfo.targetId });
      const sid = p.sessionId;
      void this.cdp.send('Network.enable', {}, sid).catch(() => {});
      void this.cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: true }, sid).catch(() => {});
      void this.cdp.send('Runtime.runIfWaitingForDebugger', {}, sid).catch(() => {});
    } else if (method === 'Target.targetInfoChanged') {
      const info = (params as { targetInfo: { targetId: string; url: string } }).targetInfo;
      for (const s of this.sessions.values()) if (s.targetId === info.targetId) s.url = info.url;
    } else if (method === 'Network.requestWillBeSent' && sessionId) {
      const target = this.sessions.get(sessionId) ?? { url: '?', type: '?' };
      const p = params as { request: { url: string }; initiator?: { url?: string; stack?: { callFrames: { url: string }[] } } };
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
    this.cdp.close();
  }
}
