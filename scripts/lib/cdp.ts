/**
 * A minimal raw Chrome DevTools Protocol client over the browser's WebSocket, for targets
 * playwright does not expose (the extension's offscreen document).
 */
import WebSocket from 'ws';
import { messageText } from './ws-text.ts';

/** A protocol event, with the flattened session it came from. */
export interface CdpEvent {
  method: string;
  params: Record<string, unknown>;
  sessionId?: string;
}

export class RawCdp {
  private nextId = 1;
  private pending = new Map<number, (msg: { result?: unknown; error?: { message: string } }) => void>();
  private listeners: ((event: CdpEvent) => void)[] = [];

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const msg = JSON.parse(messageText(data)) as { id?: number; result?: unknown; error?: { message: string } } & Partial<CdpEvent>;
      if (msg.id === undefined) {
        if (msg.method) for (const l of this.listeners) l({ method: msg.method, params: msg.params ?? {}, sessionId: msg.sessionId });
        return;
      }
      this.pending.get(msg.id)?.(msg);
      this.pending.delete(msg.id);
    });
  }

  /** Calls `listener` for every protocol event (from any session). */
  onEvent(listener: (event: CdpEvent) => void): void {
    this.listeners.push(listener);
  }

  /** Connects to a browser endpoint (`ws://…/devtools/browser/…`). */
  static async connect(wsEndpoint: string): Promise<RawCdp> {
    const ws = new WebSocket(wsEndpoint, { perMessageDeflate: false });
    await new Promise<void>((ok, fail) => {
      ws.once('open', () => ok());
      ws.once('error', fail);
    });
    return new RawCdp(ws);
  }

  /** Sends a command (to a flattened child session when `sessionId` is given). @throws Error on a protocol error. */
  send<T = unknown>(method: string, params: unknown = {}, sessionId?: string): Promise<T> {
    const id = this.nextId++;
    this.ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    return new Promise((ok, fail) => {
      this.pending.set(id, (msg) => (msg.error ? fail(new Error(`${method}: ${msg.error.message}`)) : ok(msg.result as T)));
    });
  }

  /** Attaches to the first target whose URL ends with `urlSuffix`; returns the session id. @throws Error when none. */
  async attachByUrl(urlSuffix: string): Promise<string> {
    const { targetInfos } = await this.send<{ targetInfos: { targetId: string; url: string }[] }>('Target.getTargets');
    const target = targetInfos.find((t) => t.url.endsWith(urlSuffix));
    if (!target) throw new Error(`no target whose URL ends with ${urlSuffix}`);
    const { sessionId } = await this.send<{ sessionId: string }>('Target.attachToTarget', { targetId: target.targetId, flatten: true });
    return sessionId;
  }

  /** Evaluates `expression` (awaiting a promise) in a session and returns its JSON value. @throws Error on an exception. */
  async evaluate<T>(sessionId: string, expression: string): Promise<T> {
    const r = await this.send<{ result: { value?: T }; exceptionDetails?: { text: string; exception?: { description?: string } } }>(
      'Runtime.evaluate',
      { expression, awaitPromise: true, returnByValue: true },
      sessionId,
    );
    if (r.exceptionDetails) throw new Error(r.exceptionDetails.exception?.description ?? r.exceptionDetails.text);
    return r.result.value as T;
  }

  close(): void {
    this.ws.close();
  }
}
