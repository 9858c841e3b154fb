/**
 * What the background's analysis control (analysis-control.ts) needs from the browser: the
 * host, the session storage, the analysed tab, the badge and the timeline store. `main.ts`
 * wires them to the real browser; the unit tests pass fakes.
 */
import type { AnalysisOptions, ParticipantLive } from '../shared/types.ts';
import type { AnalysisHost } from './analysis-host.ts';
import type { Session } from './session.ts';

/** Where the session and the user's options are kept (`session.ts`). */
export interface ControlStorage {
  /** The stored session, or null when none. */
  loadSession(): Promise<Session | null>;
  /** Stores the session, or removes it when null. */
  saveSession(session: Session | null): Promise<void>;
  /** The user's last options (defaults when none). */
  loadOptions(): Promise<AnalysisOptions>;
  /** Stores the user's options. */
  saveOptions(options: AnalysisOptions): Promise<void>;
  /** Developer overrides of the inference configuration, or {}. */
  loadDevConfig(): Promise<Record<string, unknown>>;
  /** The meeting analysed last in this browser session, or null. */
  loadLastMeetingId(): Promise<string | null>;
  /** Stores the meeting analysed last. */
  saveLastMeetingId(id: string): Promise<void>;
}

/** The analysed tab and its content script. */
export interface CallTab {
  /** Injects the content script and starts it with `options`. @throws Error when it cannot. */
  inject(tabId: number, options: AnalysisOptions): Promise<void>;
  /** `content/stop`. @throws Error when the tab or its content script is gone. */
  stop(tabId: number): Promise<void>;
  /** `content/set-options`. @throws Error when the tab or its content script is gone. */
  setOptions(tabId: number, options: AnalysisOptions): Promise<void>;
  /**
   * `content/live`: the participants for the overlays, and the ids the user excluded (their tiles
   * get no overlay). @throws Error when the tab or its content script is gone.
   */
  showLive(tabId: number, participants: ParticipantLive[], excluded: string[]): Promise<void>;
}

/** What `AnalysisControl` needs from the browser. */
export interface ControlDeps {
  /** Least time between two views pushed to the popup, ms (default MIN_VIEW_INTERVAL_MS; tests pass 0). */
  viewIntervalMs?: number;
  /** The host where the inference runs, looked up at each use (a build installs its own before the background runs). */
  host(): AnalysisHost;
  storage: ControlStorage;
  tab: CallTab;
  /** Shows (true) or clears the toolbar's "ON" badge. */
  badge(on: boolean): Promise<void>;
  /** A new, unique meeting id. */
  newMeetingId(): string;
  /**
   * Deletes the recorded seconds of participant `participantId` of meeting `meetingId` and
   * marks them excluded (`TimelineStore.excludeParticipant`).
   * @throws Error when the store cannot be used or the participant is not in the meeting.
   */
  deleteParticipantRecords(meetingId: string, participantId: string): Promise<void>;
  /** Ends every stored meeting left without an end time (after a stop, whatever the host managed to do). */
  endOpenMeetings(): Promise<void>;
}

/** A meeting to go on with after a fault (the Resume button). */
export interface Resumable {
  tabId: number;
  meetingId: string;
  startedAt: number;
}
