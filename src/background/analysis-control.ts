/**
 * The background's analysis control: starts and stops the analysis of one tab, keeps what
 * the popup shows (the session, the latest live update and tile snapshot, the last error),
 * pushes the view to the open view ports (view-pusher.ts), and supervises the host: a host
 * that dies is restarted on the same meeting, and one that cannot be leaves a Resume. It
 * reaches the browser only through `ControlDeps`, so the unit tests drive it without one;
 * `main.ts` wires it to the real host, storage, tabs and ports.
 */
import type { LiveUpdate, Outcome } from '../shared/messages.ts';
import type { AnalysisOptions, AnalysisView, TilesSnapshot } from '../shared/types.ts';
import type { HostSinks, HostStartRequest } from './analysis-host.ts';
import type { Session } from './session.ts';
import { errorText } from '../shared/errors.ts';
import { ViewPusher, type ViewPortSink } from './view-pusher.ts';
import { Exclusions } from './exclusions.ts';
import { applyLiveNames, applyNames, withRename } from './renames.ts';

import type { ControlDeps, Resumable } from './control-deps.ts';

export type { ViewPortSink } from './view-pusher.ts';
export type { CallTab, ControlDeps, ControlStorage } from './control-deps.ts';

/**
 * The configuration overrides of a restarted host: `overrides` with the backend the dead host
 * had chosen (`backend.choice`), unless they choose one themselves. Choosing measures every
 * candidate backend, which took most of a restart's 12 s on a 2-core machine without a GPU.
 */
export function withBackend(overrides: Record<string, unknown>, backend: string | null): Record<string, unknown> {
  if (!backend || !['wasm', 'webgl', 'webgpu', 'cpu'].includes(backend)) return overrides;
  const stage = typeof overrides.backend === 'object' && overrides.backend !== null ? (overrides.backend as Record<string, unknown>) : {};
  if (stage.choice !== undefined && stage.choice !== 'auto') return overrides;
  return { ...overrides, backend: { ...stage, choice: backend } };
}

/** A host that dies this many times within RESTART_WINDOW_MS is not restarted again by itself. */
export const MAX_RESTARTS = 3;
/** See MAX_RESTARTS, ms. */
export const RESTART_WINDOW_MS = 60_000;

/** The background's start/stop/view logic (see the module comment). One per service worker. */
export class AnalysisControl {
  private live: LiveUpdate | null = null;
  private tiles: TilesSnapshot | null = null;
  private lastError: string | null = null;
  private starting = false;
  /** True while `stop` releases the host and ends the meeting: the view says `stopping` until the meeting is saved. */
  private stopping = false;
  /**
   * True until this worker has asked the host for its latest live update: a restarted worker
   * has none while the host runs on; a worker that started the analysis gets every update.
   */
  private askHostForLive = true;
  private readonly views: ViewPusher;
  /** What the host was last told about anyone looking (see `offscreen/set-listening`). */
  private hostListening: boolean | null = null;
  /** While a dead host is being restarted: what the view says. */
  private recovering: string | null = null;
  /** Times of the host's recent restarts (see MAX_RESTARTS). */
  private restarts: number[] = [];
  /** The meeting a fault stopped, which Resume goes on with; null when none. */
  private resumable: Resumable | null = null;
  /** The tfjs backend the running host chose (from its live updates): a restart skips the choosing. */
  private backendInUse: string | null = null;
  /** Who the user excluded from the current meeting (passed to every restart of its host). */
  private readonly exclusions = new Exclusions();

  /** How a host that lives in the background itself reports back (the Firefox host). */
  readonly sinks: HostSinks = {
    live: (update) => this.liveUpdate(update),
    failed: (error) => this.failed(error),
  };

  constructor(private readonly deps: ControlDeps) {
    this.views = new ViewPusher(() => this.view(), deps.viewIntervalMs);
  }

  /** Number of open view ports. */
  get openPorts(): number {
    return this.views.size;
  }

  /** Adds an open view port and sends it the current view at once. Returns the function that removes it (call on disconnect). */
  connect(port: ViewPortSink): () => void {
    const remove = this.views.add(port);
    void this.syncListening();
    return () => {
      remove();
      void this.syncListening();
    };
  }

  /** Whether anyone looks at the live view: an open popup, or overlays on the page. */
  private listening(session: Session | null): boolean {
    return this.views.size > 0 || Boolean(session?.options.overlays);
  }

  /** Tells a running host when that changed, so it sends live updates only while someone looks. */
  private async syncListening(): Promise<void> {
    const session = await this.deps.storage.loadSession();
    if (!session || session.state !== 'running') return;
    const listening = this.listening(session);
    if (listening === this.hostListening) return;
    this.hostListening = listening;
    await this.deps
      .host()
      .setListening(listening)
      .catch(() => {
        this.hostListening = null;
      });
  }

  /** Resolves when no view push is in progress (tests, and callers that must see the push done). */
  settled(): Promise<void> {
    return this.views.settled();
  }

  /**
   * Starts analysing `tabId` as a new meeting, stopping a running analysis first. A start
   * while another is starting is refused. On failure everything is released and the error is
   * shown in the view.
   */
  start(tabId: number): Promise<Outcome> {
    return this.run({ tabId, meetingId: this.deps.newMeetingId(), startedAt: Date.now() }, false);
  }

  /** Goes on with the meeting a fault stopped (the view's `resumable`), as `start` does otherwise. */
  async resume(): Promise<Outcome> {
    const meeting = this.resumable;
    if (!meeting) return { ok: false, error: 'there is no stopped meeting to resume' };
    return this.run(meeting, true);
  }

  private async run(meeting: Resumable, resume: boolean): Promise<Outcome> {
    if (this.starting) return { ok: false, error: 'already starting' };
    const { storage, tab } = this.deps;
    const { tabId } = meeting;
    this.starting = true;
    this.lastError = null;
    this.resumable = null;
    this.changed();
    try {
      if (await storage.loadSession()) await this.stop();
      const options: AnalysisOptions = { ...(await storage.loadOptions()), paused: false };
      const session: Session = { tabId, meetingId: meeting.meetingId, startedAt: meeting.startedAt, options, state: 'starting' };
      await storage.saveSession(session);
      await storage.saveLastMeetingId(session.meetingId);
      this.tiles = null;
      this.live = null;
      this.askHostForLive = false;
      this.changed();
      await tab.inject(tabId, options);
      const outcome = await this.deps.host().start(await this.hostRequest(session, resume), this.sinks);
      if (!outcome.ok) throw new Error(outcome.error);
      // Options may have changed while starting (popup toggles): keep them, change only the state.
      const latest = await storage.loadSession();
      await storage.saveSession({ ...(latest?.meetingId === session.meetingId ? latest : session), state: 'running' });
      await this.deps.badge(true);
      await this.syncListening(); // a popup may have opened or closed while starting
      return { ok: true };
    } catch (err) {
      const error = errorText(err);
      await this.stop(error);
      return { ok: false, error };
    } finally {
      this.starting = false;
      this.changed();
    }
  }

  /**
   * Stops the analysis (safe when nothing runs) and shows `error` in the view, if given. The view
   * reads `stopping` until the host has stopped and every open meeting has ended, so an export
   * right after Stop gets the whole, ended meeting.
   * @returns an error outcome naming what could not be released.
   */
  async stop(error: string | null = null): Promise<Outcome> {
    this.stopping = true;
    try {
      return await this.release(error);
    } finally {
      this.stopping = false;
      this.changed();
    }
  }

  /** Stop's work: the view goes `stopping` at once, the host stops, the tab is released and every open meeting ends. */
  private async release(error: string | null): Promise<Outcome> {
    const { storage } = this.deps;
    const session = await storage.loadSession();
    await storage.saveSession(null);
    this.live = null;
    this.tiles = null;
    this.lastError = error;
    this.resumable = null;
    this.recovering = null;
    this.changed();
    await this.deps.badge(false);
    const problems: string[] = [];
    await this.deps
      .host()
      .stop()
      .catch((e: unknown) => problems.push(errorText(e)));
    if (session) await this.deps.tab.stop(session.tabId).catch(() => {}); // the tab may be gone
    // A host that died cannot end its meeting: end it here, at its last recorded second.
    await this.deps.endOpenMeetings().catch((e: unknown) => console.error('[CallMood] could not end the open meetings', e));
    return problems.length ? { ok: false, error: problems.join('; ') } : { ok: true };
  }

  /** Stops or starts analysis of `tabId` (the keyboard command): stops when it, or any tab when `tabId` is unknown, is analysed. */
  async toggle(tabId: number | undefined): Promise<void> {
    const session = await this.deps.storage.loadSession();
    if (session && (tabId === undefined || session.tabId === tabId)) await this.stop();
    else if (tabId !== undefined) await this.start(tabId);
  }

  /** Merges `partial` into the options, stores them and passes them on to the host and the page. */
  async setOptions(partial: Partial<AnalysisOptions>): Promise<AnalysisOptions> {
    const { storage } = this.deps;
    const session = await storage.loadSession();
    const options: AnalysisOptions = { ...(session?.options ?? (await storage.loadOptions())), ...partial };
    await storage.saveOptions(options);
    if (session) await storage.saveSession({ ...session, options });
    this.changed();
    if (!session) return options;
    await this.deps
      .host()
      .setOptions(options)
      .catch(() => {});
    await this.deps.tab.setOptions(session.tabId, options).catch(() => {});
    if (options.overlays && this.live) await this.deps.tab.showLive(session.tabId, this.live.participants, this.exclusions.of(session.meetingId)).catch(() => {});
    await this.syncListening();
    return options;
  }

  /** A tile snapshot from the content script of tab `fromTabId`; ignored unless that tab is analysed. */
  async tilesUpdate(snapshot: TilesSnapshot, fromTabId: number | undefined): Promise<void> {
    const session = await this.deps.storage.loadSession();
    if (!session || fromTabId !== session.tabId) return;
    this.tiles = snapshot;
    this.changed();
    if (session.state === 'running')
      await this.deps
        .host()
        .setTiles(applyNames(snapshot, session.names))
        .catch(() => {});
  }

  /** A live update from the host; ignored unless it is of the current meeting. Passed on to the page's overlays when on. */
  async liveUpdate(update: LiveUpdate): Promise<void> {
    const session = await this.deps.storage.loadSession();
    if (!session || update.meetingId !== session.meetingId) return;
    this.recallExclusions(session);
    // An update made before the host heard of an exclusion must not show the participant.
    // ... nor one renamed by hand under their old name.
    const participants = applyLiveNames(this.exclusions.filter(session.meetingId, update.participants), session.names);
    if (participants !== update.participants) update = { ...update, participants };
    this.live = update;
    if (update.stats.backend) this.backendInUse = update.stats.backend;
    this.changed();
    if (session.options.overlays) await this.deps.tab.showLive(session.tabId, update.participants, this.exclusions.of(session.meetingId)).catch(() => {});
  }

  /**
   * Excludes participant `participantId` from the current meeting: the host stops analysing
   * them (no overlay, no new seconds), they leave the view at once, and a restarted host is
   * told again. With `deleteRecords`, their recorded seconds are deleted and their name blanked.
   * The exclusion holds even when the host cannot be reached or the deletion fails; the
   * outcome's error then says what failed.
   */
  async excludeParticipant(participantId: string, deleteRecords: boolean): Promise<Outcome> {
    const session = await this.deps.storage.loadSession();
    if (!session) return { ok: false, error: 'nothing is being analysed' };
    const { meetingId, tabId, options } = session;
    this.recallExclusions(session);
    this.exclusions.add(meetingId, participantId);
    await this.deps.storage.saveSession({ ...session, excluded: this.exclusions.of(meetingId) });
    if (this.live) this.live = { ...this.live, participants: this.exclusions.filter(meetingId, this.live.participants) };
    this.changed();
    const problems: string[] = [];
    if (session.state === 'running') await this.deps.host().exclude(participantId).catch((e: unknown) => problems.push(`the analysis could not be told: ${errorText(e)}`));
    if (options.overlays && this.live) await this.deps.tab.showLive(tabId, this.live.participants, this.exclusions.of(meetingId)).catch(() => {});
    if (deleteRecords)
      await this.deps.deleteParticipantRecords(meetingId, participantId).catch((e: unknown) => problems.push(`their records could not be deleted: ${errorText(e)}`));
    return problems.length ? { ok: false, error: problems.join('; ') } : { ok: true };
  }

  /**
   * Names participant `participantId` `name` by hand for the rest of the meeting (an empty name
   * goes back to the page's): kept in the session, applied to every tile snapshot the host gets
   * (applyNames), and shown in the view at once.
   */
  async renameParticipant(participantId: string, name: string): Promise<Outcome> {
    const session = await this.deps.storage.loadSession();
    if (!session) return { ok: false, error: 'nothing is being analysed' };
    if (participantId.includes('#')) return { ok: false, error: 'the people of one shared video are named after it and cannot be renamed' };
    const names = withRename(session.names, participantId, name);
    await this.deps.storage.saveSession({ ...session, names });
    if (this.live) this.live = { ...this.live, participants: applyLiveNames(this.live.participants, names) };
    this.changed();
    if (session.state === 'running' && this.tiles) {
      try {
        await this.deps.host().setTiles(applyNames(this.tiles, names));
      } catch (err) {
        return { ok: false, error: `the analysis could not be told: ${errorText(err)}` };
      }
    }
    return { ok: true };
  }

  /** The host failed for good: stop and show `error`. */
  async failed(error: string): Promise<void> {
    await this.stop(error);
  }

  /** Tab `tabId` closed: stop when it was analysed. */
  async tabRemoved(tabId: number): Promise<void> {
    if ((await this.deps.storage.loadSession())?.tabId === tabId) await this.stop();
  }

  /** Tab `tabId` finished loading: when it is analysed, its content script is gone; put it back, or stop with the reason. */
  async tabLoaded(tabId: number): Promise<void> {
    const session = await this.deps.storage.loadSession();
    if (session?.tabId !== tabId || session.state !== 'running') return;
    await this.deps.tab.inject(tabId, session.options).catch((err: unknown) => this.stop(`The page changed and cannot be analysed any more: ${errorText(err)}`));
  }

  /**
   * What the host is asked to start for `session`; the host is told whether anyone looks. Going
   * on with a meeting (`resume`) keeps the backend the previous host chose (see `withBackend`).
   */
  private async hostRequest(session: Session, resume: boolean): Promise<HostStartRequest> {
    this.recallExclusions(session);
    this.hostListening = this.listening(session);
    const overrides = await this.deps.storage.loadDevConfig();
    const { tabId, meetingId, startedAt, options } = session;
    return {
      tabId,
      meetingId,
      startedAt,
      options,
      tiles: this.tiles && applyNames(this.tiles, session.names),
      listening: this.hostListening,
      configOverrides: resume ? withBackend(overrides, this.backendInUse) : overrides,
      resume,
      excluded: this.exclusions.of(meetingId),
    };
  }

  /**
   * The host died while analysing (Chrome's offscreen document closed or crashed): restarts
   * it on the same meeting at once. The view shows no live figures meanwhile. When it cannot
   * be restarted, or it died MAX_RESTARTS times within RESTART_WINDOW_MS, the analysis stops,
   * the meeting ends at its last recorded second, and the view offers Resume.
   */
  async hostLost(reason: string): Promise<void> {
    const session = await this.deps.storage.loadSession();
    if (!session || session.state !== 'running' || this.starting || this.recovering) return;
    this.recovering = `The analysis stopped (${reason}); restarting it on the same meeting…`;
    this.live = null;
    this.changed();
    const meeting: Resumable = { tabId: session.tabId, meetingId: session.meetingId, startedAt: session.startedAt };
    try {
      const now = Date.now();
      this.restarts = this.restarts.filter((t) => now - t < RESTART_WINDOW_MS);
      if (this.restarts.length >= MAX_RESTARTS) throw new Error(`it stopped ${MAX_RESTARTS} times within a minute`);
      this.restarts.push(now);
      const outcome = await this.deps.host().start(await this.hostRequest(session, true), this.sinks);
      if (!outcome.ok) throw new Error(outcome.error);
    } catch (err) {
      await this.stop(`The analysis stopped (${reason}) and could not be restarted: ${errorText(err)}. Press Resume to go on with the same meeting.`);
      this.resumable = meeting;
    } finally {
      this.recovering = null;
      this.changed();
    }
  }

  /**
   * On (re)start of the service worker: reconciles the stored session with the host (a
   * session whose host is gone is restarted on the same meeting, see `hostLost`) and sets the badge.
   */
  async restore(): Promise<void> {
    const session = await this.deps.storage.loadSession();
    await this.deps.badge(session !== null);
    if (session && !(await this.deps.host().running())) await this.hostLost('its host was gone when CallMood restarted');
  }

  /** The view the popup shows. */
  async view(): Promise<AnalysisView> {
    const { storage } = this.deps;
    const session = await storage.loadSession();
    if (session && session.state === 'running' && !this.live && this.askHostForLive) {
      // After a service-worker restart the host still holds the live state.
      this.askHostForLive = false;
      const latest = await this.deps
        .host()
        .live()
        .catch(() => null);
      this.live ??= latest; // an update that arrived meanwhile is newer
    }
    const { live, tiles, lastError } = this;
    const shown = session ? live : null;
    return {
      state: this.stopping ? 'stopping' : this.starting || session?.state === 'starting' ? 'starting' : session ? 'running' : lastError ? 'error' : 'idle',
      tabId: session?.tabId ?? null,
      meetingId: session?.meetingId ?? null,
      options: session?.options ?? (await storage.loadOptions()),
      adapter: tiles?.adapter ?? null,
      fallbackFrom: tiles?.fallbackFrom ?? null,
      site: tiles?.site ?? null,
      stats: shown?.stats ?? null,
      participants: shown?.participants ?? [],
      message: lastError ?? this.recovering ?? live?.message ?? null,
      liveAt: shown?.publishedAt ?? null,
      notRecording: shown?.notRecording ?? null,
      lastMeetingId: session?.meetingId ?? (await storage.loadLastMeetingId()),
      resumable: this.resumable !== null && !session,
    };
  }

  /** Takes the exclusions the session kept (a restarted worker starts without them in memory). */
  private recallExclusions(session: Session): void {
    for (const id of session.excluded ?? []) this.exclusions.add(session.meetingId, id);
  }

  /** The view changed: push it to the open ports (view-pusher.ts). */
  private changed(): void {
    this.views.changed();
  }
}
