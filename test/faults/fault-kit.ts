/**
 * What the fault suite measures with, apart from the scenarios themselves: a watch on every
 * console of the browser (call page, popup, service worker, offscreen document) and on the
 * extension's targets coming and going; a sampler of the popup as a user sees it; reads of
 * the timeline database from an extension page; and the per-participant figures computed
 * from the stored seconds (seconds lost, share recorded, gap reasons).
 */
import type { Page } from 'playwright-core';
import { RawCdp, type CdpEvent } from '../../scripts/lib/cdp.ts';

/** One error seen in a console. */
export interface SeenError {
  /** ms since the epoch. */
  at: number;
  /** `page` (the call page, any world), `popup`, `service-worker`, `offscreen`. */
  where: string;
  kind: 'exception' | 'console-error';
  text: string;
}

/** A target of the browser appearing or going away. */
export interface TargetEvent {
  at: number;
  event: 'created' | 'destroyed';
  type: string;
  url: string;
  targetId: string;
}

interface TargetInfo {
  targetId: string;
  type: string;
  url: string;
}

/**
 * Watches the consoles of the call page(s), the popup, the service worker and the offscreen
 * document over its own CDP connection, re-attaching as targets come back (a restarted
 * worker or document is a new target), and logs when extension targets appear and go.
 */
export class ConsoleWatch {
  readonly errors: SeenError[] = [];
  readonly targets: TargetEvent[] = [];
  private readonly where = new Map<string, string>();
  private readonly attached = new Set<string>();
  private readonly live = new Map<string, TargetInfo>();
  /** Targets already recorded as created (see onEvent). */
  private readonly announced = new Set<string>();

  private constructor(
    private readonly cdp: RawCdp,
    private readonly extensionId: string,
  ) {}

  static async start(wsEndpoint: string, extensionId: string): Promise<ConsoleWatch> {
    const cdp = await RawCdp.connect(wsEndpoint);
    const watch = new ConsoleWatch(cdp, extensionId);
    cdp.onEvent((e) => watch.onEvent(e));
    await cdp.send('Target.setDiscoverTargets', { discover: true });
    const { targetInfos } = await cdp.send<{ targetInfos: TargetInfo[] }>('Target.getTargets');
    for (const t of targetInfos) {
      watch.live.set(t.targetId, t);
      watch.announced.add(t.targetId);
      await watch.maybeAttach(t);
    }
    return watch;
  }

  /** What a target is to the suite, or null when it is not watched. */
  private kindOf(t: TargetInfo): string | null {
    const ext = `chrome-extension://${this.extensionId}/`;
    if (t.url.startsWith(ext)) {
      if (t.type === 'service_worker') return 'service-worker';
      if (t.url.endsWith('/offscreen.html')) return 'offscreen';
      if (t.url.includes('/popup.html')) return 'popup';
      return null;
    }
    if (t.type === 'page' && /^https?:/.test(t.url)) return 'page';
    return null;
  }

  private async maybeAttach(t: TargetInfo): Promise<void> {
    const kind = this.kindOf(t);
    if (!kind || this.attached.has(t.targetId)) return;
    this.attached.add(t.targetId);
    try {
      const { sessionId } = await this.cdp.send<{ sessionId: string }>('Target.attachToTarget', { targetId: t.targetId, flatten: true });
      this.where.set(sessionId, kind);
      await this.cdp.send('Runtime.enable', {}, sessionId);
      if (kind === 'service-worker') await this.cdp.send('Runtime.runIfWaitingForDebugger', {}, sessionId).catch(() => {});
    } catch {
      this.attached.delete(t.targetId); // gone before we got there
    }
  }

  private onEvent(e: CdpEvent): void {
    const p = e.params as Record<string, any>;
    if (e.method === 'Target.targetCreated' || e.method === 'Target.targetInfoChanged') {
      const t = p.targetInfo as TargetInfo;
      this.live.set(t.targetId, t);
      // A new document may be created at about:blank and get its URL in a later targetInfoChanged:
      // it is announced when first seen at an extension URL.
      if (!this.announced.has(t.targetId) && t.url.startsWith(`chrome-extension://${this.extensionId}/`)) {
        this.announced.add(t.targetId);
        this.targets.push({ at: Date.now(), event: 'created', type: t.type, url: t.url, targetId: t.targetId });
      }
      void this.maybeAttach(t);
      return;
    }
    if (e.method === 'Target.targetDestroyed') {
      const t = this.live.get(p.targetId as string);
      this.live.delete(p.targetId as string);
      this.attached.delete(p.targetId as string);
      if (t?.url.startsWith(`chrome-extension://${this.extensionId}/`))
        this.targets.push({ at: Date.now(), event: 'destroyed', type: t.type, url: t.url, targetId: t.targetId });
      return;
    }
    const where = e.sessionId ? this.where.get(e.sessionId) : undefined;
    if (!where) return;
    if (e.method === 'Runtime.exceptionThrown') {
      const d = p.exceptionDetails as { text?: string; exception?: { description?: string } };
      this.errors.push({ at: Date.now(), where, kind: 'exception', text: (d.exception?.description ?? d.text ?? '?').slice(0, 400) });
    } else if (e.method === 'Runtime.consoleAPICalled' && (p.type === 'error' || p.type === 'assert')) {
      const args = (p.args as { value?: unknown; description?: string }[]) ?? [];
      const text = args.map((a) => (a.value !== undefined ? JSON.stringify(a.value) : (a.description ?? ''))).join(' ');
      this.errors.push({ at: Date.now(), where, kind: 'console-error', text: text.slice(0, 400) });
    }
  }

  /** Extension targets whose URL ends with `suffix`, alive now. */
  aliveWithSuffix(suffix: string): TargetInfo[] {
    return [...this.live.values()].filter((t) => t.url.startsWith(`chrome-extension://${this.extensionId}/`) && t.url.endsWith(suffix));
  }

  /** Closes a target (CDP Target.closeTarget). */
  async closeTarget(targetId: string): Promise<void> {
    await this.cdp.send('Target.closeTarget', { targetId });
  }

  /** Sends a browser-level CDP command. */
  send<T = unknown>(method: string, params: unknown = {}): Promise<T> {
    return this.cdp.send<T>(method, params);
  }

  /** Errors seen since `from` (ms since the epoch), split the way the suite reports them. */
  summary(from: number): ErrorSummary {
    const mine = this.errors.filter((e) => e.at >= from);
    const page = mine.filter((e) => e.where === 'page');
    const ext = mine.filter((e) => e.where !== 'page');
    return {
      pageExceptions: page.length,
      extensionUncaught: ext.filter((e) => e.kind === 'exception').length,
      extensionConsoleErrors: ext.filter((e) => e.kind === 'console-error').length,
      examples: [...page, ...ext.filter((e) => e.kind === 'exception'), ...ext.filter((e) => e.kind === 'console-error')]
        .slice(0, 6)
        .map((e) => `${e.where} ${e.kind}: ${e.text}`),
    };
  }

  close(): void {
    this.cdp.close();
  }
}

/** Errors of one scenario. */
export interface ErrorSummary {
  /** Exceptions and console errors of the call page (every world, content scripts included). */
  pageExceptions: number;
  /** Uncaught exceptions and unhandled rejections of the popup, service worker and offscreen document. */
  extensionUncaught: number;
  /** console.error calls of the extension's pages (logged, not thrown). */
  extensionConsoleErrors: number;
  examples: string[];
}

/** One popup row as sampled. */
export interface RowSample {
  id: string;
  dominant: string;
  /** True when the row shows bars with values (not `data-empty`). */
  bars: boolean;
  /** The bars' values, joined (to tell fresh figures from old ones). */
  values: string;
  /** `data-gap`, or null when absent. */
  gap: string | null;
  /** `data-update-hz` as a number, or null when absent. */
  updateHz: number | null;
}

/** The popup at one moment. */
export interface PopupSample {
  at: number;
  state: string;
  /** `data-live-at` (ms) when set; null when empty; undefined when the popup has no such hook. */
  liveAt: number | null | undefined;
  stale: boolean;
  /** Text of `not-recording`, or null. */
  notRecording: string | null;
  resume: boolean;
  /** `data-meeting-id` of the export section; undefined when the popup has no such hook. */
  exportMeetingId: string | null | undefined;
  /** Whether the rows carry `data-update-hz` (the new row hooks). */
  rowHooks: boolean;
  rows: RowSample[];
}

/** Reads the popup once. */
export function samplePopup(popup: Page): Promise<PopupSample> {
  return popup.evaluate(() => {
    const state = document.querySelector<HTMLElement>('[data-testid="state"]');
    const exp = document.querySelector<HTMLElement>('[data-testid="export"]');
    const rows = [...document.querySelectorAll<HTMLElement>('[data-testid="participant-row"]')].map((el) => {
      const bars = [...el.querySelectorAll<HTMLElement>('[data-testid="bar"]')];
      return {
        id: el.dataset.participantId ?? '',
        dominant: el.querySelector('[data-testid="dominant"]')?.textContent?.trim() ?? '',
        bars: bars.length > 0 && bars.some((b) => b.dataset.empty === undefined),
        values: bars.map((b) => b.dataset.value ?? '').join(','),
        gap: el.dataset.gap ?? null,
        updateHz: el.dataset.updateHz !== undefined ? Number(el.dataset.updateHz) : null,
      };
    });
    const liveAtAttr = state?.getAttribute('data-live-at');
    return {
      at: Date.now(),
      state: state?.dataset.state ?? 'missing',
      liveAt: liveAtAttr === null || liveAtAttr === undefined ? undefined : liveAtAttr === '' ? null : Number(liveAtAttr),
      stale: document.querySelector('[data-testid="live-stale"]') !== null,
      notRecording: document.querySelector('[data-testid="not-recording"]')?.textContent?.trim() ?? null,
      resume: document.querySelector('[data-testid="resume"]') !== null,
      exportMeetingId: exp ? (exp.dataset.meetingId ?? null) : undefined,
      rowHooks: [...document.querySelectorAll<HTMLElement>('[data-testid="participant-row"]')].some((el) => el.dataset.updateHz !== undefined),
      rows,
    };
  });
}

/** Samples the popup every `everyMs` until stopped; a failed read is skipped. */
export class PopupSampler {
  /** Samplers not stopped yet (`stopAll` ends them when a scenario breaks off). */
  private static readonly running = new Set<PopupSampler>();
  readonly samples: PopupSample[] = [];
  private running = true;
  private readonly done: Promise<void>;

  /** Stops every sampler still running. */
  static async stopAll(): Promise<void> {
    await Promise.all([...PopupSampler.running].map((s) => s.stop()));
  }

  constructor(popup: Page, everyMs = 500) {
    PopupSampler.running.add(this);
    this.done = (async () => {
      while (this.running) {
        const t0 = Date.now();
        try {
          this.samples.push(await samplePopup(popup));
        } catch {
          /* the popup is busy or reloading: skip this sample */
        }
        await sleep(Math.max(0, everyMs - (Date.now() - t0)));
      }
    })();
  }

  async stop(): Promise<PopupSample[]> {
    this.running = false;
    PopupSampler.running.delete(this);
    await this.done;
    return this.samples;
  }
}

/** How long figures may be shown as live, ms (the popup must mark them stale after that). */
export const STALE_AFTER_MS = 2500;

/** The popup showing figures as live although they are old (see `falseLiveFigures`). */
export interface FalseLive {
  /** Samples in which a row shows bars as live (no `live-stale` marker) while the figures are older than `STALE_AFTER_MS`. */
  samples: number;
  /** Longest stretch, ms, over which old figures were shown as live. */
  longestMs: number;
  /** Samples showing live bars at all (the denominator). */
  liveSamples: number;
}

/**
 * Counts false live figures in `samples`, from ground truth the suite controls, not from the
 * popup's own claims:
 * - the figures behind the bars are old when none of the bars' values changed for longer than
 *   `STALE_AFTER_MS` (real clips move: smoothed probabilities change with every analysed frame);
 * - during `blackouts` (the span from killing the analysis host to its replacement target
 *   appearing), any figure shown more than `STALE_AFTER_MS` after the kill is old.
 * A sample that shows bars with no `live-stale` marker while its figures are old is false.
 */
export function falseLiveFigures(samples: PopupSample[], blackouts: { from: number; to: number }[] = []): FalseLive {
  let lastSignature = '';
  let changedAt = 0;
  let samplesFalse = 0;
  let liveSamples = 0;
  let longest = 0;
  let stretchFrom: number | null = null;
  for (const s of samples) {
    const live = s.rows.filter((r) => r.bars);
    const signature = live.map((r) => `${r.id}:${r.values}`).join('|');
    if (signature !== lastSignature) {
      lastSignature = signature;
      changedAt = s.at;
    }
    if (live.length === 0 || s.stale) {
      stretchFrom = null;
      continue;
    }
    liveSamples++;
    const oldByValues = s.at - changedAt > STALE_AFTER_MS;
    const oldByBlackout = blackouts.some((b) => s.at > b.from + STALE_AFTER_MS && s.at <= b.to);
    if (oldByValues || oldByBlackout) {
      samplesFalse++;
      stretchFrom ??= oldByValues ? changedAt + STALE_AFTER_MS : s.at;
      longest = Math.max(longest, s.at - stretchFrom);
    } else stretchFrom = null;
  }
  return { samples: samplesFalse, longestMs: Math.round(longest), liveSamples };
}

/** A meeting record as stored (validated loosely: garbage is skipped). */
export interface StoredMeeting {
  id: string;
  startedAt: number;
  endedAt: number | null;
  participants: { id: string; name: string }[];
}

/** A second record as stored. */
export interface StoredSecond {
  participantId: string;
  second: number;
  probabilities: Record<string, number> | null;
  samples: number;
  /** `gap` as stored; undefined when the records have no such field (older extension). */
  gap?: string | null;
}

/** The timeline database as an extension page reads it. */
export interface DbRead {
  exists: boolean;
  version: number | null;
  stores: string[];
  meetings: StoredMeeting[];
  /** Seconds of the meeting asked for (empty when none asked or no `seconds` store). */
  seconds: StoredSecond[];
  error: string | null;
}

let readerScript: Promise<string> | null = null;

/** The store reader (store-reader.ts) bundled into one script for `page.evaluate`, built once. */
function storeReaderScript(): Promise<string> {
  readerScript ??= import('esbuild').then(async (esbuild) => {
    const out = await esbuild.build({ entryPoints: [new URL('./store-reader.ts', import.meta.url).pathname], bundle: true, format: 'iife', platform: 'browser', write: false, logLevel: 'silent' });
    return out.outputFiles[0]!.text;
  });
  return readerScript;
}

/**
 * The seconds of `meetingId` as the extension's own store code reads them (the packed layout of
 * IndexedDB version 3 and later), in extension page `page`. Rejects when the store cannot be read.
 */
export async function readSecondsWithStore(page: Page, meetingId: string): Promise<StoredSecond[]> {
  const script = await storeReaderScript();
  return page.evaluate(`${script}\n;globalThis.__callmoodReadSeconds(${JSON.stringify(meetingId)})`);
}

/** The database name the extension uses (src/shared/timeline-store.ts TIMELINE_DB_NAME). */
export const DB_NAME = 'callmood';

/**
 * Reads the timeline database from `page` (an extension page): the valid-looking meetings and
 * the seconds of `meetingId`. Never creates the database: when it does not exist, says so.
 */
export function readDb(page: Page, meetingId: string | null): Promise<DbRead> {
  return page.evaluate(
    async ({ name, id }) => {
      const out = { exists: false, version: null as number | null, stores: [] as string[], meetings: [] as any[], seconds: [] as any[], error: null as string | null };
      const dbs = await indexedDB.databases();
      if (!dbs.some((d) => d.name === name)) return out;
      let db: IDBDatabase;
      try {
        db = await new Promise<IDBDatabase>((ok, fail) => {
          const r = indexedDB.open(name);
          r.onupgradeneeded = () => r.transaction?.abort(); // never create it
          r.onsuccess = () => ok(r.result);
          r.onerror = () => fail(r.error ?? new Error('open failed'));
        });
      } catch (err) {
        out.error = String(err);
        return out;
      }
      try {
        out.exists = true;
        out.version = db.version;
        out.stores = [...db.objectStoreNames];
        // No named inner functions: the test runner's transpiler would wrap them in a helper the page lacks.
        const wanted: [string, IDBKeyRange | undefined][] = [];
        if (out.stores.includes('meetings')) wanted.push(['meetings', undefined]);
        if (id && out.stores.includes('seconds')) wanted.push(['seconds', IDBKeyRange.bound([id], [id, []])]);
        for (const [store, range] of wanted) {
          const all = await new Promise<any[]>((ok, fail) => {
            const q = db.transaction(store).objectStore(store).getAll(range);
            q.onsuccess = () => ok(q.result);
            q.onerror = () => fail(q.error ?? new Error('getAll failed'));
          });
          if (store === 'meetings') out.meetings = all.filter((m) => m && typeof m.id === 'string' && typeof m.startedAt === 'number' && Array.isArray(m.participants));
          else out.seconds = all.filter((x) => x && typeof x.participantId === 'string' && Number.isInteger(x.second));
        }
      } catch (err) {
        out.error = String(err);
      } finally {
        db.close();
      }
      return out;
    },
    { name: DB_NAME, id: meetingId },
  ).then(async (out) => {
    // The packed layout (no `seconds` store): read through the extension's own code.
    if (!meetingId || !out.exists || out.stores.includes('seconds') || !out.stores.includes('chunks')) return out;
    try {
      out.seconds = await readSecondsWithStore(page, meetingId);
    } catch (err) {
      out.error = String(err);
    }
    return out;
  });
}

/** Number of stored seconds of `meetingId` (-1 when they cannot be counted). */
export async function countSeconds(page: Page, meetingId: string): Promise<number> {
  const stores = await page.evaluate(async (name) => {
    const dbs = await indexedDB.databases();
    if (!dbs.some((d) => d.name === name)) return [];
    return new Promise<string[]>((ok) => {
      const r = indexedDB.open(name);
      r.onupgradeneeded = () => r.transaction?.abort();
      r.onerror = () => ok([]);
      r.onsuccess = () => {
        ok([...r.result.objectStoreNames]);
        r.result.close();
      };
    });
  }, DB_NAME);
  if (!stores.includes('seconds') && stores.includes('chunks')) return readSecondsWithStore(page, meetingId).then((s) => s.length, () => -1);
  return page.evaluate(
    async ({ name, id }) => {
      const dbs = await indexedDB.databases();
      if (!dbs.some((d) => d.name === name)) return -1;
      return new Promise<number>((ok) => {
        const r = indexedDB.open(name);
        r.onupgradeneeded = () => r.transaction?.abort();
        r.onerror = () => ok(-1);
        r.onsuccess = () => {
          const db = r.result;
          try {
            const q = db.transaction('seconds').objectStore('seconds').count(IDBKeyRange.bound([id], [id, []]));
            q.onsuccess = () => {
              ok(q.result);
              db.close();
            };
            q.onerror = () => {
              ok(-1);
              db.close();
            };
          } catch {
            ok(-1);
            db.close();
          }
        };
      });
    },
    { name: DB_NAME, id: meetingId },
  );
}

/** The extension origin's storage use, bytes (navigator.storage.estimate in an extension page). */
export async function storageUsage(page: Page): Promise<number> {
  return page.evaluate(async () => (await navigator.storage.estimate()).usage ?? 0);
}

/**
 * The meeting started by a Start pressed at `clickedAt`: the stored meeting whose start lies
 * within a minute after it (the latest such). Ground truth that needs no popup hook.
 */
export function meetingStartedAt(meetings: StoredMeeting[], clickedAt: number): StoredMeeting | null {
  const near = meetings.filter((m) => m.startedAt >= clickedAt - 2000 && m.startedAt <= clickedAt + 60_000);
  near.sort((a, b) => b.startedAt - a.startedAt);
  return near[0] ?? null;
}

/** Seconds lost by each participant (see `secondsLost`). */
export interface SecondsLost {
  /** Worst participant, seconds. */
  max: number;
  mean: number;
  perParticipant: Record<string, number>;
}

/**
 * Seconds lost per participant: the seconds of the meeting from the participant's first
 * recorded second to the end of the meeting (`endMs`: its `endedAt`, else when Stop was
 * pressed; the last `tailS` seconds are left out, they may still be in flight) with no record
 * at all, plus the records whose gap is `not-recording`.
 */
export function secondsLost(meeting: StoredMeeting, seconds: StoredSecond[], endMs: number, participants: string[], tailS = 2): SecondsLost {
  const last = Math.floor((endMs - meeting.startedAt) / 1000) - tailS;
  const per: Record<string, number> = {};
  for (const id of participants) {
    const own = seconds.filter((s) => s.participantId === id);
    if (own.length === 0) {
      per[id] = Math.max(0, last + 1);
      continue;
    }
    const have = new Map(own.map((s) => [s.second, s]));
    const first = Math.min(...own.map((s) => s.second));
    let lost = 0;
    for (let s = first; s <= last; s++) {
      const r = have.get(s);
      if (!r || r.gap === 'not-recording') lost++;
    }
    per[id] = lost;
  }
  const values = Object.values(per);
  return { max: values.length ? Math.max(...values) : 0, mean: values.length ? round(values.reduce((a, b) => a + b, 0) / values.length, 2) : 0, perParticipant: per };
}

export function round(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((ok) => setTimeout(ok, ms));
}

/** Polls `probe` every 250 ms until it returns a truthy value or `timeoutMs` passes (then null). */
export async function waitFor<T>(probe: () => Promise<T | null | undefined | false> | T | null | undefined | false, timeoutMs: number): Promise<T | null> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    try {
      const v = await probe();
      if (v) return v;
    } catch {
      /* not yet */
    }
    await sleep(250);
  }
  return null;
}
