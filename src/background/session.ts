/**
 * Which tab is analysed, kept in `chrome.storage.session` (memory only, cleared when the
 * browser closes) so a service-worker restart does not lose it. Validated on every read:
 * bad stored data is dropped and reported, never thrown.
 */
import browser from 'webextension-polyfill';
import * as z from 'zod/mini';
import { DEFAULT_OPTIONS, type AnalysisOptions } from '../shared/types.ts';

/** The analysis session of the (at most one) analysed tab. */
export interface Session {
  tabId: number;
  meetingId: string;
  /** ms since the epoch. */
  startedAt: number;
  options: AnalysisOptions;
  state: 'starting' | 'running';
  /** Participant ids the user excluded from this meeting (kept here so a restarted worker still knows them); absent when none. */
  excluded?: string[];
  /** Names the user gave participants by hand, by participant id (`bg/rename-participant`); absent when none. */
  names?: Record<string, string>;
}

const KEY = 'callmood.session.v1';
/** The user's switches (overlays, pause, only me) survive between analyses in storage.local. */
const OPTIONS_KEY = 'callmood.options.v1';
/** Options as stored; `baseline` came later, so options stored without it read as off. */
const optionsSchema = z.pipe(
  z.object({ overlays: z.boolean(), paused: z.boolean(), onlyMe: z.boolean(), baseline: z.optional(z.boolean()) }),
  z.transform((o): AnalysisOptions => ({ ...o, baseline: o.baseline ?? false })),
);

// zod/mini: the same validator with a tree-shakable API, so the service worker stays small.
const sessionSchema = z.object({
  tabId: z.int(),
  meetingId: z.string().check(z.minLength(1)),
  startedAt: z.number(),
  options: optionsSchema,
  state: z.enum(['starting', 'running']),
  excluded: z.optional(z.array(z.string())),
  names: z.optional(z.record(z.string(), z.string())),
});

/**
 * In-memory copy of the stored session. Only the service worker writes the session, so the
 * copy stays true; it spares a storage read on every live update (one per analysed frame) and
 * every view pushed to the popup. `undefined` = not read yet (a fresh or restarted worker).
 */
let cached: Session | null | undefined;

/** Reads the session; null when none or when the stored value is corrupt (it is then removed). */
export async function loadSession(): Promise<Session | null> {
  if (cached !== undefined) return cached;
  const stored = (await browser.storage.session.get(KEY))[KEY];
  if (stored === undefined) return (cached = null);
  const parsed = sessionSchema.safeParse(stored);
  if (!parsed.success) {
    console.warn('[CallMood] dropping corrupt session state', parsed.error.message);
    await browser.storage.session.remove(KEY);
    return (cached = null);
  }
  return (cached = parsed.data);
}

/** Stores the session, or removes it when `session` is null. */
export async function saveSession(session: Session | null): Promise<void> {
  cached = session;
  if (session) await browser.storage.session.set({ [KEY]: session });
  else await browser.storage.session.remove(KEY);
}

/** The user's last options (defaults when none or corrupt; a corrupt value is removed). */
export async function loadOptions(): Promise<AnalysisOptions> {
  const stored = (await browser.storage.local.get(OPTIONS_KEY))[OPTIONS_KEY];
  if (stored === undefined) return { ...DEFAULT_OPTIONS };
  const parsed = optionsSchema.safeParse(stored);
  if (!parsed.success) {
    console.warn('[CallMood] dropping corrupt options', parsed.error.message);
    await browser.storage.local.remove(OPTIONS_KEY);
    return { ...DEFAULT_OPTIONS };
  }
  return parsed.data;
}

/** Stores the user's options. */
export async function saveOptions(options: AnalysisOptions): Promise<void> {
  await browser.storage.local.set({ [OPTIONS_KEY]: options });
}

/** Key of the developer overrides of the inference configuration (set by `npm run bench`). */
export const DEV_CONFIG_KEY = 'callmood.dev-config.v1';

/** Developer overrides of the inference configuration, or {} (validated by the offscreen document). */
export async function loadDevConfig(): Promise<Record<string, unknown>> {
  const stored = (await browser.storage.local.get(DEV_CONFIG_KEY))[DEV_CONFIG_KEY];
  return typeof stored === 'object' && stored !== null ? (stored as Record<string, unknown>) : {};
}

/** The meeting analysed last, kept for the browser session (Export after Stop exports it). */
const LAST_MEETING_KEY = 'callmood.last-meeting.v1';

/** The meeting analysed last in this browser session, or null. */
export async function loadLastMeetingId(): Promise<string | null> {
  const stored = (await browser.storage.session.get(LAST_MEETING_KEY))[LAST_MEETING_KEY];
  return typeof stored === 'string' && stored.length > 0 ? stored : null;
}

/** Stores the meeting analysed last. */
export async function saveLastMeetingId(id: string): Promise<void> {
  await browser.storage.session.set({ [LAST_MEETING_KEY]: id });
}
