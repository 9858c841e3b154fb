/**
 * The fault suite: CallMood in headless Chromium on the demo call with the real clips, one
 * scenario per fault (a killed service worker, a closed offscreen document, a reloaded or
 * closed call tab, a wrong database layout, garbage and future-dated records, a full quota,
 * 25 and 49 tiles, black / tiny / cross-origin / frozen / flapping tiles). Each scenario
 * records the seconds lost per participant, the exceptions seen in every console, whether the
 * popup told the truth and whether the meeting ended, and fails (naming itself and the
 * missed targets) when a target is missed. Prints a table and writes bench/results/faults.json.
 *
 *   npm run test:faults [-- --out FILE] [--extension DIR] [--only id,id]
 *
 * `--extension DIR` (or env CALLMOOD_EXTENSION_DIR) runs another build of the extension (no
 * build then); without it `dist/chrome` is built first unless CALLMOOD_SKIP_BUILD=1. Popup
 * hooks that a build lacks are recorded as "popup did not say". See docs/faults.md.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statfsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { CallSession, hostRulesArg, listClips, ROOT } from '../../scripts/lib/call-session.ts';
import { ensureBuilt, noBrowserReason, noVideosReason, TEST_OUTPUT } from '../e2e/helpers.ts';
import {
  ConsoleWatch,
  countSeconds,
  DB_NAME,
  falseLiveFigures,
  meetingStartedAt,
  PopupSampler,
  readDb,
  round,
  samplePopup,
  secondsLost,
  sleep,
  storageUsage,
  waitFor,
  type DbRead,
  type ErrorSummary,
  type FalseLive,
  type PopupSample,
  type SecondsLost,
  type StoredMeeting,
} from './fault-kit.ts';

// ---------------------------------------------------------------------------------------------
// Options

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const OUT = resolve(argValue('--out') ?? process.env.CALLMOOD_FAULTS_OUT ?? join(ROOT, 'bench/results/faults.json'));
const EXTENSION_ARG = argValue('--extension') ?? process.env.CALLMOOD_EXTENSION_DIR;
const EXTENSION_DIR = EXTENSION_ARG ? resolve(EXTENSION_ARG) : join(ROOT, 'dist/chrome');
const ONLY = (argValue('--only') ?? process.env.CALLMOOD_FAULTS_ONLY ?? '').split(',').filter(Boolean);

const skip = noBrowserReason() || noVideosReason();

/** Clips with a face in every frame (the tile scenarios count seconds with a face). */
const FACE_CLIPS = ['WolfgangLanger_Pexels.webm', 'single_face.webm'];
const DID_NOT_SAY = 'popup did not say';

// ---------------------------------------------------------------------------------------------
// Targets

/**
 * The targets, as written into the JSON and docs/faults.md. Two of them depend on how fast the
 * machine is (a restart's model loading; analyses per second at 49 tiles): a miss of those is
 * reported in the row (`belowSpeedTargets`) and does not fail the suite, which instead fails
 * past the hard bounds below, so a slow CI machine does not turn a measurement red.
 */
const TARGETS = {
  secondsLostMax: 2,
  /** Hard bound on the seconds a recoverable fault may lose (a host not restarted loses them all). */
  secondsLostHardMax: 5,
  recoverable: ['service-worker-killed', 'offscreen-closed', 'page-reloaded'],
  pageExceptions: 0,
  falseLiveFigures: 0,
  meetingEnded: true,
  exportsAnalysedMeeting: true,
  tiles49RecordedShareMin: 0.9,
  tiles49WronglyNoFace: 0,
  notRecordingShownWithinMs: 4000,
} as const;

// ---------------------------------------------------------------------------------------------
// Rows

type Truth = boolean | typeof DID_NOT_SAY;

/** One scenario's figures. */
interface Row {
  id: string;
  title: string;
  ok: boolean;
  /** Targets missed, in words. */
  misses: string[];
  /** The error that stopped the scenario, or null. */
  error: string | null;
  durationS: number;
  /** Seconds lost per participant (null where the scenario does not measure it). */
  secondsLost: SecondsLost | null;
  errors: ErrorSummary | null;
  falseLive: FalseLive | null;
  popupTruth: Truth | null;
  /** What the truth was judged on. */
  popupNotes: string;
  meetingEnded: boolean | null;
  /** Scenario-specific figures. */
  details: Record<string, unknown>;
  /** Speed targets missed on this machine, in words: reported, not failed (see TARGETS). */
  belowSpeedTargets: string[];
}

function newRow(id: string, title: string): Row {
  return { id, title, ok: false, misses: [], error: null, durationS: 0, secondsLost: null, errors: null, falseLive: null, popupTruth: null, popupNotes: '', meetingEnded: null, details: {}, belowSpeedTargets: [] };
}

// ---------------------------------------------------------------------------------------------
// Sessions: one browser reused while a scenario does not need a fresh profile

type SessionKind = 'demo' | 'tiles' | 'small-disk';

interface Live {
  session: CallSession;
  watch: ConsoleWatch;
  kind: SessionKind;
  usable: boolean;
}

let current: Live | null = null;
/** Version of the Chromium the suite ran (set when a browser opens). */
let chromiumVersion: string | null = null;

async function closeCurrent(): Promise<void> {
  if (!current) return;
  current.watch.close();
  await current.session.close().catch(() => {});
  current = null;
}

async function sessionFor(kind: SessionKind, fresh: boolean): Promise<Live> {
  if (current && current.usable && current.kind === kind && !fresh) return current;
  await closeCurrent();
  const session =
    kind !== 'tiles'
      ? await openDemo(kind === 'small-disk')
      : await CallSession.open({
          headless: true,
          extensionDir: EXTENSION_DIR,
          monitorNetwork: false,
          clips: FACE_CLIPS.filter((c) => listClips().includes(c)).length ? FACE_CLIPS.filter((c) => listClips().includes(c)) : undefined,
          args: [hostRulesArg(['xorigin.test'])],
          mounts: { '/faults/': join(ROOT, 'test/faults/fixtures') },
        });
  const watch = await ConsoleWatch.start(session.eb.wsEndpoint, session.eb.extensionId);
  chromiumVersion = session.eb.browser.version();
  current = { session, watch, kind, usable: true };
  return current;
}

/**
 * Where the small-disk browser keeps its profile: a tmpfs of `SMALL_DISK_MB` mounted by the
 * suite (needs root). Chromium ignores Storage.overrideQuotaForOrigin for an extension origin
 * and gives it at least 1 GB, so a full disk is how the suite makes the timeline writes fail.
 */
const SMALL_DISK = '/tmp/callmood-faults-small-disk';
const SMALL_DISK_MB = 96;
let smallDiskMounted = false;

async function openDemo(smallDisk: boolean): Promise<CallSession> {
  if (!smallDisk) return CallSession.open({ headless: true, extensionDir: EXTENSION_DIR, monitorNetwork: false });
  if (!smallDiskMounted) {
    mkdirSync(SMALL_DISK, { recursive: true });
    const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${SMALL_DISK_MB}m`, 'tmpfs', SMALL_DISK], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`cannot mount a small tmpfs for the full-disk scenario (needs root): ${r.stderr.trim()}`);
    smallDiskMounted = true;
  }
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = SMALL_DISK; // launchWithExtension puts the profile under os.tmpdir()
  try {
    return await CallSession.open({ headless: true, extensionDir: EXTENSION_DIR, monitorNetwork: false });
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
}

function unmountSmallDisk(): void {
  if (smallDiskMounted) spawnSync('umount', [SMALL_DISK]);
  smallDiskMounted = false;
}

// ---------------------------------------------------------------------------------------------
// One meeting: start, sample, stop, read back

interface Meeting {
  clickedAt: number;
  /** When a row first showed bars (when none did in 45 s and that was allowed: the moment the wait ended). */
  firstLiveAt: number;
  sawBars: boolean;
  sampler: PopupSampler;
}

/**
 * Presses Start and waits until some row shows bars; the popup is sampled from the start on.
 * With `requireLive` false a meeting with no bars after 45 s goes on (the tile scenarios
 * measure how much was recorded, even nothing).
 */
async function startMeeting(live: Live, requireLive = true): Promise<Meeting> {
  const clickedAt = Date.now();
  await live.session.start(90_000);
  const sampler = new PopupSampler(live.session.popup);
  const firstLive = await waitFor(async () => ((await samplePopup(live.session.popup)).rows.some((r) => r.bars) ? Date.now() : null), 45_000);
  if (firstLive === null && !requireLive) return { clickedAt, firstLiveAt: Date.now(), sawBars: false, sampler };
  if (firstLive === null) {
    await sampler.stop();
    throw new Error('no participant row showed bars within 45 s of Start');
  }
  return { clickedAt, firstLiveAt: firstLive, sawBars: true, sampler };
}

/** Whether the last Stop left the popup not idle (see `endMeeting`). */
let stopSlow = false;

/** What a stopped meeting left: the popup samples, the meeting record and its seconds. */
interface Ended {
  samples: PopupSample[];
  stoppedAt: number;
  meeting: StoredMeeting;
  db: DbRead;
  /** Meetings started by this Start or after it (a restart on a new id shows as more than one). */
  meetingsSince: number;
}

/**
 * Presses Stop (unless `alreadyStopped`), waits for the meeting to end (up to 8 s), reads it
 * back. A popup still not idle `stopWaitMs` after Stop is an error, unless `slowStopOk` (the
 * tile scenarios read what was stored anyway and record `stopSlow`).
 */
async function endMeeting(live: Live, m: Meeting, alreadyStopped = false, stopWaitMs = 20_000, slowStopOk = false): Promise<Ended> {
  const stoppedAt = Date.now();
  if (!alreadyStopped) {
    const idle = await Promise.race([live.session.stop().then(() => true), sleep(stopWaitMs).then(() => false)]);
    if (!idle && !slowStopOk) throw new Error(`Stop did not bring the popup back to idle within ${stopWaitMs / 1000} s`);
    if (!idle) live.usable = false;
    stopSlow = !idle;
  }
  const samples = await m.sampler.stop();
  const popup = live.session.popup;
  const found = await waitFor(async () => {
    const db = await readDb(popup, null);
    const meeting = meetingStartedAt(db.meetings, m.clickedAt);
    return meeting?.endedAt != null ? meeting : null;
  }, 8000);
  const all = await readDb(popup, null);
  const meeting = found ?? meetingStartedAt(all.meetings, m.clickedAt);
  if (!meeting) throw new Error(`no meeting record started after Start was pressed (stores: ${all.stores.join(', ') || 'none'}; ${all.error ?? 'no read error'})`);
  const db = await readDb(popup, meeting.id);
  return { samples, stoppedAt, meeting, db, meetingsSince: all.meetings.filter((x) => x.startedAt >= m.clickedAt - 2000 && x.startedAt <= Date.now()).length };
}

/** The participant ids of the call page now (demo call or odd tiles). */
async function pageParticipants(live: Live): Promise<string[]> {
  return live.session.page.evaluate(() => {
    const w = window as unknown as { demoCall?: { participants(): { id: string }[] }; oddTiles?: { participants(): { id: string }[] } };
    return (w.demoCall ?? w.oddTiles)!.participants().map((p) => p.id);
  });
}

function lostOf(e: Ended, participants: string[]): SecondsLost {
  return secondsLost(e.meeting, e.db.seconds, e.meeting.endedAt ?? e.stoppedAt, participants);
}

/** Whether rows with bars came back within `ms` after `from`. */
function liveAgainAfter(samples: PopupSample[], from: number, ms: number): number | null {
  const s = samples.find((x) => x.at > from && x.at <= from + ms && x.rows.some((r) => r.bars) && !x.stale && x.state === 'running');
  return s ? s.at - from : null;
}

/** Summary of the popup's test hooks seen in a run (the new hooks or not). */
function hooksSeen(samples: PopupSample[]): Record<string, boolean> {
  return {
    liveAt: samples.some((s) => s.liveAt !== undefined),
    rowGapAndRate: samples.some((s) => s.rowHooks),
    exportMeetingId: samples.some((s) => s.exportMeetingId !== undefined),
    notRecording: samples.some((s) => s.notRecording !== null),
    stale: samples.some((s) => s.stale),
    resume: samples.some((s) => s.resume),
  };
}

// ---------------------------------------------------------------------------------------------
// Scenarios

interface Scenario {
  id: string;
  title: string;
  kind: SessionKind;
  /** Needs a fresh browser profile. */
  fresh?: boolean;
  /** Leaves the session unusable (the call tab is gone). */
  endsSession?: boolean;
  /**
   * The test's time limit in ms (default 240 000). Every wait inside a scenario is bounded; the
   * tile scenarios' sum of bounds is larger, since with 49 playing videos a slow machine makes
   * each page load, popup read and stop slow too.
   */
  timeoutMs?: number;
  run(live: Live, row: Row): Promise<void>;
}

/** The common checks: ended, page exceptions, false live figures. */
function commonChecks(row: Row): void {
  if (row.meetingEnded === false) row.misses.push('meeting not ended');
  if (row.errors && row.errors.pageExceptions > TARGETS.pageExceptions) row.misses.push(`${row.errors.pageExceptions} exceptions into the page`);
  if (row.falseLive && row.falseLive.samples > TARGETS.falseLiveFigures) row.misses.push(`${row.falseLive.samples} false live figures (longest ${row.falseLive.longestMs} ms)`);
}

function lostCheck(row: Row): void {
  if (!row.secondsLost) return;
  const { max } = row.secondsLost;
  if (max > TARGETS.secondsLostHardMax) row.misses.push(`${max} s lost by a participant (at most ${TARGETS.secondsLostHardMax}; target <= ${TARGETS.secondsLostMax})`);
  else if (max > TARGETS.secondsLostMax) row.belowSpeedTargets.push(`${max} s lost by a participant (target <= ${TARGETS.secondsLostMax})`);
}

function truthCheck(row: Row, what: string): void {
  if (row.popupTruth !== true) row.misses.push(`popup: ${row.popupTruth === DID_NOT_SAY ? DID_NOT_SAY : 'untrue'} (${what})`);
}

const SCENARIOS: Scenario[] = [
  {
    id: 'service-worker-killed',
    title: 'service worker stopped three times mid-meeting',
    kind: 'demo',
    async run(live, row) {
      const ids = await pageParticipants(live);
      const m = await startMeeting(live);
      const cdp = await live.session.eb.context.newCDPSession(live.session.popup);
      await cdp.send('ServiceWorker.enable');
      const kills: number[] = [];
      for (const at of [4000, 9000, 14_000]) {
        await sleep(Math.max(0, m.firstLiveAt + at - Date.now()));
        kills.push(Date.now());
        await cdp.send('ServiceWorker.stopAllWorkers');
      }
      await sleep(Math.max(0, m.firstLiveAt + 20_000 - Date.now()));
      await cdp.detach().catch(() => {});
      const e = await endMeeting(live, m);
      row.secondsLost = lostOf(e, ids);
      row.meetingEnded = e.meeting.endedAt !== null;
      row.falseLive = falseLiveFigures(e.samples.filter((s) => s.at <= e.stoppedAt));
      const back = kills.map((k) => liveAgainAfter(e.samples, k, 10_000));
      row.popupTruth = row.falseLive.samples === 0 && back.every((b) => b !== null);
      row.popupNotes = 'no false live figure, and live rows again within 10 s of each stop';
      row.details = { killsAfterFirstLiveS: kills.map((k) => round((k - m.firstLiveAt) / 1000, 1)), liveAgainAfterMs: back, meetingsCreated: e.meetingsSince, hooks: hooksSeen(e.samples) };
      lostCheck(row);
      truthCheck(row, row.popupNotes);
    },
  },
  {
    id: 'offscreen-closed',
    title: 'offscreen document closed mid-meeting (as a renderer crash)',
    kind: 'demo',
    async run(live, row) {
      const ids = await pageParticipants(live);
      const m = await startMeeting(live);
      await sleep(6000);
      const target = live.watch.aliveWithSuffix('/offscreen.html')[0];
      if (!target) throw new Error('no offscreen document target while analysing');
      const killedAt = Date.now();
      await live.watch.closeTarget(target.targetId);
      await sleep(14_000);
      const restarted = live.watch.targets.find((t) => t.event === 'created' && t.url.endsWith('/offscreen.html') && t.at > killedAt);
      const e = await endMeeting(live, m);
      const restartedAt = restarted?.at ?? null;
      row.secondsLost = lostOf(e, ids);
      row.meetingEnded = e.meeting.endedAt !== null;
      const blackout = { from: killedAt, to: restartedAt ?? e.stoppedAt };
      row.falseLive = falseLiveFigures(e.samples.filter((s) => s.at <= e.stoppedAt), [blackout]);
      const liveAgain = restartedAt === null ? null : liveAgainAfter(e.samples, restartedAt, 12_000);
      const shownStale = e.samples.some((s) => s.at > killedAt && s.at <= blackout.to + 1000 && (s.stale || s.state !== 'running' || s.resume));
      row.popupTruth = row.falseLive.samples === 0;
      row.popupNotes = 'no live bars (without the stale marker) from 2.5 s after the kill until the new document, nor frozen bars shown as live';
      row.details = {
        offscreenRestartedAfterMs: restartedAt === null ? null : restartedAt - killedAt,
        liveAgainAfterRestartMs: liveAgain,
        popupMarkedStaleOrStopped: shownStale,
        meetingsCreated: e.meetingsSince,
        hooks: hooksSeen(e.samples),
      };
      if (restartedAt === null) row.misses.push('the offscreen document was not restarted');
      lostCheck(row);
      truthCheck(row, row.popupNotes);
    },
  },
  {
    id: 'page-reloaded',
    title: 'call page reloaded mid-meeting',
    kind: 'demo',
    async run(live, row) {
      const ids = await pageParticipants(live);
      const m = await startMeeting(live);
      await sleep(6000);
      const reloadedAt = Date.now();
      await live.session.page.reload();
      await live.session.page.waitForFunction(() => document.body.dataset.ready === '1', null, { timeout: 30_000 });
      const readyAt = Date.now();
      await sleep(Math.max(0, reloadedAt + 14_000 - Date.now()));
      const e = await endMeeting(live, m);
      row.secondsLost = lostOf(e, ids);
      row.meetingEnded = e.meeting.endedAt !== null;
      row.falseLive = falseLiveFigures(e.samples.filter((s) => s.at <= e.stoppedAt));
      const back = liveAgainAfter(e.samples, readyAt, 10_000);
      row.popupTruth = row.falseLive.samples === 0 && back !== null;
      row.popupNotes = 'no false live figure, and live rows again within 10 s of the reloaded page being ready';
      row.details = { pageReadyAfterMs: readyAt - reloadedAt, liveAgainAfterReadyMs: back, stateAfter: e.samples.at(-1)?.state, meetingsCreated: e.meetingsSince, hooks: hooksSeen(e.samples) };
      lostCheck(row);
      truthCheck(row, row.popupNotes);
    },
  },
  {
    id: 'tab-closed',
    title: 'call tab closed mid-meeting',
    kind: 'demo',
    endsSession: true,
    async run(live, row) {
      const m = await startMeeting(live);
      await sleep(5000);
      const closedAt = Date.now();
      await live.session.page.close();
      const left = await waitFor(async () => ((await samplePopup(live.session.popup)).state !== 'running' ? Date.now() : null), 10_000);
      const e = await endMeeting(live, m, true);
      row.meetingEnded = e.meeting.endedAt !== null;
      row.falseLive = falseLiveFigures(e.samples);
      row.popupTruth = left !== null && left - closedAt <= 5000 && row.falseLive.samples === 0;
      row.popupNotes = 'the popup leaves "running" within 5 s of the tab closing';
      row.details = { popupLeftRunningAfterMs: left === null ? null : left - closedAt, endedAfterCloseMs: e.meeting.endedAt === null ? null : e.meeting.endedAt - closedAt };
      truthCheck(row, row.popupNotes);
    },
  },
  {
    id: 'no-seconds-store',
    title: 'database without its per-second store',
    kind: 'demo',
    fresh: true,
    async run(live, row) {
      const ids = await pageParticipants(live);
      const version = await letExtensionCreateDb(live);
      const planted = await live.session.popup.evaluate(
        async ({ name, v }) => {
          await new Promise<void>((ok, fail) => {
            const r = indexedDB.deleteDatabase(name);
            r.onsuccess = () => ok();
            r.onerror = () => fail(r.error ?? new Error('delete failed'));
          });
          const db = await new Promise<IDBDatabase>((ok, fail) => {
            const r = indexedDB.open(name, v);
            r.onupgradeneeded = () => r.result.createObjectStore('meetings', { keyPath: 'id' });
            r.onsuccess = () => ok(r.result);
            r.onerror = () => fail(r.error ?? new Error('open failed'));
          });
          const stores = [...db.objectStoreNames];
          db.close();
          return stores;
        },
        { name: DB_NAME, v: version },
      );
      const m = await startMeeting(live);
      await sleep(15_000);
      const e = await endMeeting(live, m);
      const recorded = e.db.seconds.length;
      row.meetingEnded = e.meeting.endedAt !== null;
      row.secondsLost = lostOf(e, ids);
      row.falseLive = falseLiveFigures(e.samples.filter((s) => s.at <= e.stoppedAt));
      const said = e.samples.find((s) => s.notRecording !== null);
      const message = e.samples.map((s) => s.state).includes('error');
      row.popupTruth = recorded > 0 ? true : said || message ? true : DID_NOT_SAY;
      row.popupNotes = 'seconds were recorded, or the popup said it was not recording';
      row.details = { dbVersion: version, plantedStores: planted, storesAfter: e.db.stores, secondsRecorded: recorded, notRecordingText: said?.notRecording ?? null, hooks: hooksSeen(e.samples) };
      truthCheck(row, row.popupNotes);
    },
  },
  {
    id: 'garbage-records',
    title: 'garbage and future-dated records: Export exports the meeting just analysed',
    kind: 'demo',
    fresh: true,
    async run(live, row) {
      await letExtensionCreateDb(live);
      const future = Date.now() + 365 * 24 * 3600 * 1000;
      await live.session.popup.evaluate(
        async ({ name, future }) => {
          const db = await new Promise<IDBDatabase>((ok, fail) => {
            const r = indexedDB.open(name);
            r.onsuccess = () => ok(r.result);
            r.onerror = () => fail(r.error ?? new Error('open failed'));
          });
          // Garbage in whichever per-second layout the build has: `seconds` (one record a
          // second) or the packed `chunks` and `pending` stores.
          const packed = !db.objectStoreNames.contains('seconds');
          const tx = db.transaction(packed ? ['meetings', 'chunks', 'pending'] : ['meetings', 'seconds'], 'readwrite');
          const meetings = tx.objectStore('meetings');
          meetings.put({ schemaVersion: 1, id: 'future-meeting', site: '127.0.0.1', adapter: 'meet', startedAt: future, endedAt: null, participants: [{ id: 'ghost', name: 'Ghost', isSelf: false }] });
          meetings.put({ id: 'garbage-1', hello: 'world' });
          meetings.put({ id: 'garbage-2', schemaVersion: 1, startedAt: 'yesterday', participants: 'none' });
          meetings.put({ id: 'garbage-3', schemaVersion: 99, site: 'https://evil.example/x', startedAt: -5, endedAt: -10, participants: [] });
          if (packed) {
            tx.objectStore('chunks').put({ meetingId: 'future-meeting', participant: 0, start: 0, junk: true });
            tx.objectStore('chunks').put({ meetingId: 'garbage-1', participant: 'x', start: 'not-a-number', data: 'lots' });
            tx.objectStore('pending').put({ meetingId: 'future-meeting', seq: 1, bytes: 'not bytes' });
          } else {
            const seconds = tx.objectStore('seconds');
            seconds.put({ meetingId: 'future-meeting', participantId: 'ghost', second: 0, schemaVersion: 1, probabilities: null, dominant: null, faceSeconds: 0, samples: 1, name: 'Ghost' });
            seconds.put({ meetingId: 'future-meeting', participantId: 'ghost', second: 1, junk: true });
            seconds.put({ meetingId: 'garbage-1', participantId: 'x', second: 'not-a-number', probabilities: 'lots' });
          }
          await new Promise<void>((ok, fail) => {
            tx.oncomplete = () => ok();
            tx.onerror = () => fail(tx.error ?? new Error('planting failed'));
          });
          db.close();
        },
        { name: DB_NAME, future },
      );
      const m = await startMeeting(live);
      await sleep(12_000);
      const e = await endMeeting(live, m);
      await sleep(1000);
      const popupSays = (await samplePopup(live.session.popup)).exportMeetingId;
      const files = await live.session.exportTo(join(TEST_OUTPUT, 'faults', 'garbage-records'));
      const summary = JSON.parse(readFileSync(files.summary, 'utf8')) as { meeting: { startedAt: string; endedAt: string | null }; participants: { id: string }[] };
      const csvLines = readFileSync(files.timeline, 'utf8').split(/\r?\n/).filter(Boolean).length - 1;
      const expected = new Date(e.meeting.startedAt).toISOString();
      const right = summary.meeting.startedAt === expected;
      row.meetingEnded = e.meeting.endedAt !== null;
      row.falseLive = falseLiveFigures(e.samples.filter((s) => s.at <= e.stoppedAt));
      row.popupTruth = popupSays === undefined ? DID_NOT_SAY : popupSays === e.meeting.id;
      row.popupNotes = 'the export section names the meeting just analysed (data-meeting-id)';
      row.details = {
        analysedMeeting: { id: e.meeting.id, startedAt: expected },
        exportedStartedAt: summary.meeting.startedAt,
        exportsAnalysedMeeting: right,
        exportedFutureMeeting: summary.meeting.startedAt === new Date(future).toISOString(),
        exportSectionMeetingId: popupSays ?? null,
        exportedParticipants: summary.participants.map((p) => p.id),
        csvRows: csvLines,
      };
      if (!right) row.misses.push(`exported the meeting started ${summary.meeting.startedAt}, not the one analysed (${expected})`);
      truthCheck(row, row.popupNotes);
    },
  },
  {
    id: 'disk-full',
    title: 'storage full mid-meeting (profile on a small disk, filled by a large blob)',
    kind: 'small-disk',
    fresh: true,
    async run(live, row) {
      const popup = live.session.popup;
      const m = await startMeeting(live);
      await sleep(4000);
      const meetingId = await waitFor(async () => meetingStartedAt((await readDb(popup, null)).meetings, m.clickedAt)?.id, 5000);
      if (!meetingId) throw new Error('no meeting record for the running meeting');
      const counts: { at: number; n: number }[] = [];
      const count = async () => counts.push({ at: Date.now(), n: await countSeconds(popup, meetingId) });
      await count();
      const free = statfsSync(SMALL_DISK);
      const fill = Math.max(0, free.bavail * free.bsize - 64 * 1024);
      const filled = await popup.evaluate(
        async ({ n }) => {
          const db = await new Promise<IDBDatabase>((ok, fail) => {
            const r = indexedDB.open('callmood-faults-filler', 1);
            r.onupgradeneeded = () => r.result.createObjectStore('blobs');
            r.onsuccess = () => ok(r.result);
            r.onerror = () => fail(r.error ?? new Error('open failed'));
          });
          // Blobs of halving size until even a small one is refused: the origin is then at its limit.
          let size = Math.min(n, 16 * 1024 * 1024);
          let stored = 0;
          let refusal = '';
          try {
            while (size >= 1024) {
              const outcome = await new Promise<string>((ok) => {
                const tx = db.transaction('blobs', 'readwrite');
                tx.objectStore('blobs').put(new Blob([new Uint8Array(size)]), stored + Math.random());
                tx.oncomplete = () => ok('');
                tx.onabort = () => ok(tx.error?.name ?? 'aborted');
              });
              if (outcome === '') stored += size;
              else {
                refusal = outcome;
                size = Math.floor(size / 2);
              }
            }
            return `${stored} bytes stored, then ${refusal || 'nothing refused'}`;
          } finally {
            db.close();
          }
        },
        { n: fill },
      );
      const fullAt = Date.now();
      await count();
      for (let i = 0; i < 9; i++) {
        await sleep(1000);
        await count();
      }
      const freedAt = Date.now();
      await popup.evaluate(
        () =>
          new Promise<void>((ok) => {
            const r = indexedDB.deleteDatabase('callmood-faults-filler');
            r.onsuccess = () => ok();
            r.onerror = () => ok();
          }),
      );
      for (let i = 0; i < 6; i++) {
        await sleep(1000);
        await count();
      }
      const e = await endMeeting(live, m);
      const at = (t: number) => [...counts].reverse().find((c) => c.at <= t)?.n ?? 0;
      const grewWhileFull = at(freedAt) - at(fullAt + 2000);
      const grewAfter = at(Date.now()) - at(freedAt + 1000);
      // Failed: fewer than half the records one per participant per second would give.
      const participants = (await pageParticipants(live)).length;
      const writesFailed = grewWhileFull < 0.5 * participants * ((freedAt - fullAt - 2000) / 1000);
      const said = e.samples.find((s) => s.at >= fullAt && s.notRecording !== null);
      row.meetingEnded = e.meeting.endedAt !== null;
      row.falseLive = falseLiveFigures(e.samples.filter((s) => s.at <= e.stoppedAt));
      row.popupTruth = !writesFailed ? true : said && said.at - fullAt <= TARGETS.notRecordingShownWithinMs ? true : said ? false : DID_NOT_SAY;
      row.popupNotes = `"Not recording: ..." shown within ${TARGETS.notRecordingShownWithinMs / 1000} s of the writes failing`;
      row.details = {
        diskMb: SMALL_DISK_MB,
        fillerBytes: fill,
        filler: filled,
        writesFailed,
        recordsWrittenWhileFull: grewWhileFull,
        recordsWrittenAfterFreed: grewAfter,
        notRecordingShownAfterMs: said ? said.at - fullAt : null,
        notRecordingText: said?.notRecording ?? null,
        resumeOffered: e.samples.some((s) => s.resume),
        hooks: hooksSeen(e.samples),
      };
      row.details.expectedRecordsWhileFull = Math.round(participants * ((freedAt - fullAt - 2000) / 1000));
      if (!writesFailed) row.misses.push('filling the disk did not make the timeline writes fail (inconclusive)');
      truthCheck(row, row.popupNotes);
    },
  },
  tilesScenario(25),
  tilesScenario(49),
  {
    id: 'odd-tiles',
    title: 'black, tiny, cross-origin, frozen and flapping tiles',
    kind: 'tiles',
    async run(live, row) {
      await live.session.goto({ path: '/faults/odd-tiles/' });
      const m = await startMeeting(live, false);
      await sleep(18_000);
      const e = await endMeeting(live, m);
      row.meetingEnded = e.meeting.endedAt !== null;
      row.falseLive = falseLiveFigures(e.samples.filter((s) => s.at <= e.stoppedAt));
      const end = e.meeting.endedAt ?? e.stoppedAt;
      const first = e.db.seconds.length ? Math.min(...e.db.seconds.map((s) => s.second)) : 0;
      const last = Math.floor((end - e.meeting.startedAt) / 1000) - 2;
      const expectedGap: Record<string, string | null> = { control: null, black: 'black', tiny: 'tile-too-small', 'cross-origin': null, frozen: 'frozen', flapping: null };
      const tiles: Record<string, unknown> = {};
      const unexplained: string[] = [];
      for (const id of Object.keys(expectedGap)) {
        const own = e.db.seconds.filter((s) => s.participantId === id && s.second >= first && s.second <= last);
        const gaps: Record<string, number> = {};
        for (const s of own) if (s.probabilities === null) gaps[String(s.gap)] = (gaps[String(s.gap)] ?? 0) + 1;
        const noReason = own.filter((s) => s.probabilities === null && (s.gap === null || s.gap === undefined)).length;
        const missing = id === 'flapping' ? 0 : Math.max(0, last - first + 1 - new Set(own.map((s) => s.second)).size);
        const rowTexts = [...new Set(e.samples.flatMap((s) => s.rows.filter((r) => r.id === id).map((r) => (r.bars ? 'bars' : r.dominant))))];
        const rowGaps = [...new Set(e.samples.flatMap((s) => s.rows.filter((r) => r.id === id && !r.bars).map((r) => r.gap ?? 'none')))];
        tiles[id] = { records: own.length, withFace: own.filter((s) => s.probabilities !== null).length, gaps, noReason, missing, expectedGap: expectedGap[id], popupTexts: rowTexts, popupGaps: rowGaps };
        if (id !== 'control' && (noReason > 0 || missing > 0)) unexplained.push(`${id}: ${noReason} seconds without a reason, ${missing} without a record`);
      }
      const odd = ['black', 'tiny', 'frozen'];
      const rowsWithoutGap = e.samples.flatMap((s) => s.rows.filter((r) => odd.includes(r.id) && !r.bars && r.gap === null));
      const hooks = hooksSeen(e.samples);
      row.popupTruth = !hooks.rowGapAndRate ? DID_NOT_SAY : rowsWithoutGap.length === 0;
      row.popupNotes = 'every row of the black, tiny and frozen tiles without bars carries data-gap';
      row.details = { window: { firstSecond: first, lastSecond: last }, tiles, hooks };
      for (const u of unexplained) row.misses.push(u);
      truthCheck(row, row.popupNotes);
    },
  },
];

function tilesScenario(n: 25 | 49): Scenario {
  return {
    id: `tiles-${n}`,
    title: `${n} tiles (face clips)`,
    kind: 'tiles',
    timeoutMs: n === 49 ? 540_000 : 360_000,
    async run(live, row) {
      await live.session.goto({ path: '/', query: `tiles=${n}` });
      const ids = await pageParticipants(live);
      const popup = live.session.popup;
      const usageBefore = await storageUsage(popup);
      const m = await startMeeting(live, false);
      const until = Date.now() + 20_000;
      await sleep(10_000);
      const popupAt49 = n === 49 ? await controlsInView(popup, n, row) : null;
      await sleep(Math.max(0, until - Date.now()));
      const e = await endMeeting(live, m, false, 40_000, true);
      await sleep(1500);
      const usageAfter = await storageUsage(popup);
      row.meetingEnded = e.meeting.endedAt !== null;
      row.falseLive = falseLiveFigures(e.samples.filter((s) => s.at <= e.stoppedAt));
      const end = e.meeting.endedAt ?? e.stoppedAt;
      const seconds = e.db.seconds;
      const first = seconds.length ? Math.min(...seconds.map((s) => s.second)) : 0;
      const last = Math.floor((end - e.meeting.startedAt) / 1000) - 2;
      const inWindow = seconds.filter((s) => s.second >= first && s.second <= last);
      const participantSeconds = ids.length * Math.max(0, last - first + 1);
      const withFace = inWindow.filter((s) => s.probabilities !== null).length;
      const share = participantSeconds ? withFace / participantSeconds : 0;
      const updates = inWindow.length ? inWindow.reduce((a, s) => a + s.samples, 0) / (ids.length * Math.max(1, last - first + 1)) : 0;
      const byKey = new Map(seconds.map((s) => [`${s.participantId}#${s.second}`, s]));
      let noFaceRows = 0;
      let wrong = 0;
      const rowHz: number[] = [];
      for (const s of e.samples) {
        if (s.at > e.stoppedAt) continue;
        const sec = Math.floor((s.at - e.meeting.startedAt) / 1000);
        for (const r of s.rows) {
          if (r.updateHz !== null && Number.isFinite(r.updateHz)) rowHz.push(r.updateHz);
          if (r.dominant !== 'no face') continue;
          noFaceRows++;
          if ([sec - 1, sec, sec + 1].every((q) => byKey.get(`${r.id}#${q}`)?.probabilities)) wrong++;
        }
      }
      const gaps: Record<string, number> = {};
      for (const s of inWindow) if (s.probabilities === null) gaps[String(s.gap)] = (gaps[String(s.gap)] ?? 0) + 1;
      row.popupTruth = wrong === 0;
      row.popupNotes = 'no row reads "no face" while the stored seconds around it (s-1..s+1) all have a face';
      row.details = {
        tiles: ids.length,
        firstBarsAfterStartS: m.sawBars ? round((m.firstLiveAt - m.clickedAt) / 1000, 1) : null,
        stopLeftPopupNotIdle: stopSlow,
        window: { firstSecond: first, lastSecond: last },
        recordedShare: round(share, 3),
        updatesPerTilePerSecond: round(updates, 2),
        popupUpdateHzMean: rowHz.length ? round(rowHz.reduce((a, b) => a + b, 0) / rowHz.length, 2) : DID_NOT_SAY,
        secondsWithoutFaceByGap: gaps,
        noFaceRowSamples: noFaceRows,
        wronglyNoFace: wrong,
        storage: {
          usageBeforeBytes: usageBefore,
          usageAfterBytes: usageAfter,
          records: seconds.length,
          bytesPerParticipantSecond: seconds.length ? Math.round((usageAfter - usageBefore) / seconds.length) : null,
        },
        hooks: hooksSeen(e.samples),
        ...(popupAt49 ? { popupAt49 } : {}),
      };
      if (n === 49) {
        if (share < TARGETS.tiles49RecordedShareMin) row.belowSpeedTargets.push(`${round(share * 100, 1)} % of participant-seconds recorded (target >= ${TARGETS.tiles49RecordedShareMin * 100} %)`);
        if (wrong > TARGETS.tiles49WronglyNoFace) row.misses.push(`${wrong} row samples wrongly "no face"`);
      }
    },
  };
}

/** The popup's controls that must stay in view at any number of participants. */
const POPUP_CONTROLS = ['start-stop', 'pause-toggle', 'open-report', 'open-meetings', 'export-json', 'export-csv'];

/**
 * With `n` participants listed, the popup shown at Chrome's largest popup size (800 x 600):
 * each of POPUP_CONTROLS must lie inside it without scrolling (a miss otherwise). Also returns
 * how long the popup's participant list took to render (its `callmood:participant-list`
 * performance entries over 5 s: render, DOM commit and the sparklines' new data).
 */
async function controlsInView(popup: Page, n: number, row: Row): Promise<Record<string, unknown>> {
  const size = popup.viewportSize();
  await popup.setViewportSize({ width: 800, height: 600 });
  try {
    await popup.waitForFunction((want) => document.querySelectorAll('[data-testid="participant-row"]').length >= want, n, { timeout: 15_000 });
    await popup.evaluate(() => performance.clearMeasures('callmood:participant-list'));
    await sleep(5000);
    for (const id of POPUP_CONTROLS) {
      const box = await popup.getByTestId(id).boundingBox();
      const inside = box !== null && box.x >= 0 && box.y >= 0 && box.x + box.width <= 800 && box.y + box.height <= 600;
      if (!inside) row.misses.push(`popup with ${n} participants: ${id} is not inside 800x600 without scrolling (${JSON.stringify(box)})`);
    }
    const page = await popup.evaluate(() => ({
      rows: document.querySelectorAll('[data-testid="participant-row"]').length,
      view: document.querySelector<HTMLElement>('[data-testid="participants"]')?.dataset.view ?? null,
      pageScrolls: document.documentElement.scrollHeight > innerHeight,
      renders: performance.getEntriesByName('callmood:participant-list').map((e) => e.duration),
    }));
    if (page.pageScrolls) row.misses.push(`popup with ${n} participants: the page itself scrolls`);
    const sorted = [...page.renders].sort((a, b) => a - b);
    const at = (q: number) => (sorted.length ? round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!, 1) : null);
    return { rows: page.rows, view: page.view, renderMs: { count: sorted.length, median: at(0.5), p95: at(0.95), max: at(1) } };
  } finally {
    await popup.setViewportSize(size ?? { width: 400, height: 760 });
  }
}

/**
 * Makes the extension create its timeline database itself (Export with nothing stored opens
 * it) and returns its version; falls back to TIMELINE_DB_VERSION of the build's source.
 */
async function letExtensionCreateDb(live: Live): Promise<number> {
  const popup = live.session.popup;
  await popup.getByTestId('export-json').click({ timeout: 5000 }).catch(() => {});
  const version = await waitFor(
    () => popup.evaluate(async (name) => (await indexedDB.databases()).find((d) => d.name === name)?.version ?? null, DB_NAME),
    5000,
  );
  if (version) return version;
  const source = [join(EXTENSION_DIR, '../../src/shared/timeline-store.ts'), join(ROOT, 'src/shared/timeline-store.ts')].find((p) => existsSync(p))!;
  const v = Number(/TIMELINE_DB_VERSION\s*=\s*(\d+)/.exec(readFileSync(source, 'utf8'))?.[1]);
  if (!v) throw new Error('cannot tell the timeline database version');
  return v;
}

// ---------------------------------------------------------------------------------------------
// Report

const rows: Row[] = [];
const suiteStartedAt = Date.now();

function cell(v: unknown): string {
  if (v === null || v === undefined) return '–';
  if (v === true) return 'yes';
  if (v === false) return 'no';
  return typeof v === 'number' || typeof v === 'string' ? String(v) : JSON.stringify(v);
}

function table(list: Row[]): string {
  const head = ['scenario', 'lost max s', 'page exc.', 'ext. uncaught', 'false live', 'popup truthful', 'ended', 'result'];
  const body = list.map((r) => [
    r.id,
    cell(r.secondsLost?.max),
    cell(r.errors?.pageExceptions),
    cell(r.errors?.extensionUncaught),
    cell(r.falseLive?.samples),
    cell(r.popupTruth),
    cell(r.meetingEnded),
    r.ok ? (r.belowSpeedTargets.length ? `pass; below speed target: ${r.belowSpeedTargets.join('; ')}` : 'pass') : r.error ? `ERROR: ${r.error.slice(0, 80)}` : `FAIL: ${r.misses.join('; ').slice(0, 160)}`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}

async function writeReport(): Promise<void> {
  if (rows.length === 0) return;
  const tiles = rows.filter((r) => r.id.startsWith('tiles-'));
  const report = {
    generatedAt: new Date().toISOString(),
    extensionDir: EXTENSION_DIR,
    chromium: chromiumVersion,
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? null },
    durationS: round((Date.now() - suiteStartedAt) / 1000, 1),
    targets: TARGETS,
    storageFootprint: tiles.map((r) => ({ scenario: r.id, ...(r.details.storage as object) })),
    scenarios: rows,
  };
  await mkdir(dirname(OUT), { recursive: true });
  await writeFile(OUT, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\n${table(rows)}\n\nsuite took ${report.durationS} s; wrote ${OUT}`);
}

// ---------------------------------------------------------------------------------------------
// The tests

describe('fault suite (real Chromium, demo call, real clips)', { skip }, () => {
  after(async () => {
    await closeCurrent();
    unmountSmallDisk();
    await writeReport();
  });

  test('the extension is built', async () => {
    if (!EXTENSION_ARG) await ensureBuilt();
    assert.ok(existsSync(join(EXTENSION_DIR, 'manifest.json')), `no extension at ${EXTENSION_DIR}`);
  });

  for (const sc of SCENARIOS) {
    const selected = ONLY.length === 0 || ONLY.includes(sc.id);
    const noRoot = sc.id === 'disk-full' && process.getuid?.() !== 0 ? 'needs root: it mounts a small tmpfs for the browser profile' : false;
    test(`${sc.id}: ${sc.title}`, { skip: selected ? noRoot : 'not in --only', timeout: sc.timeoutMs ?? 240_000 }, async () => {
      const row = newRow(sc.id, sc.title);
      const began = Date.now();
      let live: Live | null = null;
      try {
        live = await sessionFor(sc.kind, sc.fresh ?? false);
        const from = Date.now();
        try {
          await sc.run(live, row);
        } finally {
          await sleep(500);
          row.errors = live.watch.summary(from);
        }
        commonChecks(row);
        if (TARGETS.recoverable.includes(sc.id as never) && !row.secondsLost) row.misses.push('seconds lost not measured');
      } catch (err) {
        row.error = err instanceof Error ? (err.stack ?? err.message).split('\n').slice(0, 3).join(' ') : String(err);
        if (live) live.usable = false; // the next scenario gets a fresh browser
      } finally {
        await PopupSampler.stopAll();
        if (sc.endsSession && live) live.usable = false;
        row.durationS = round((Date.now() - began) / 1000, 1);
        row.ok = row.error === null && row.misses.length === 0;
        rows.push(row);
      }
      assert.ok(row.ok, `${sc.id}: ${row.error ?? row.misses.join('; ')}`);
    });
  }
});
