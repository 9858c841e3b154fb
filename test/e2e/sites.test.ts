/**
 * CallMood on every call site it knows, in Chromium, one browser for all of them: the Meet
 * look-alike demo call, the Zoom web client look-alike (WebGL canvases without
 * preserveDrawingBuffer, served under the host name app.zoom.us), Microsoft Teams, a
 * self-hosted Jitsi Meet, and a generic page with video and canvas tiles. On each it starts
 * the analysis the way a user does (toolbar click, Start) and checks what the popup shows:
 * one named row per participant with emotion bars, the self view marked "(you)", no row for
 * the screen share, and a rename in the page's DOM renaming the same row. Zoom's speaker view
 * and the generic page's re-layout keep every participant's id. A Zoom page whose tile classes
 * changed falls back to the generic adapter and the popup says so. Each site is a test of its
 * own after the one that opens the browser: a site that fails stops its analysis and leaves
 * the next site to run.
 */
import assert from 'node:assert/strict';
import { after, describe } from 'node:test';
import { CallSession, hostRulesArg, type CallPage } from '../../scripts/lib/call-session.ts';
import { EMOTIONS } from '../../src/shared/emotions.ts';
import { ensureBuilt, noBrowserReason, noVideosReason, scenario } from './helpers.ts';

const skip = noBrowserReason() || noVideosReason();
/** Three participants: a remote face, the local user (single_face, the self view) and a face that comes and goes. */
const CLIPS = ['WolfgangLanger_Pexels.webm', 'single_face.webm', 'face_noface.webm'];
const REMOTE = 'WolfgangLanger_Pexels';
const EMOTION_TEXT = new RegExp(`^(${EMOTIONS.join('|')}) \\d+%$`);
/** How long a site may take to show every participant named with an emotion (model load included), ms. */
const SHOW_MS = 60_000;

/** A popup row as a user reads it, with the "(you)" marker. */
interface Row {
  id: string;
  name: string;
  /** Where the name comes from (`data-name-from`: `site`, a page-label rule, `fallback`, `hand`). */
  nameFrom: string;
  dominant: string;
  self: boolean;
  bars: number;
}

/** A participant as the fixture says the adapter should report it. */
interface Expected {
  key: string;
  id: string;
  name: string;
  self: boolean;
  /** The naming rule the fixture expects (`caption`, `fallback`, ...); absent: the site's own (`site`). */
  nameFrom?: string;
}

async function rows(session: CallSession): Promise<Row[]> {
  return session.popup.$$eval('[data-testid="participant-row"]', (els) =>
    els.map((el) => ({
      id: (el as HTMLElement).dataset.participantId ?? '',
      name: (el as HTMLElement).dataset.participantName ?? '',
      nameFrom: (el as HTMLElement).dataset.nameFrom ?? '',
      dominant: el.querySelector('[data-testid="dominant"]')?.textContent?.trim() ?? '',
      self: el.querySelector('.participant__you') !== null,
      bars: el.querySelectorAll('[data-testid="bar"]').length,
    })),
  );
}

/** Polls the popup's rows until `accept` holds; fails with the last rows after `timeoutMs`. */
async function waitForRows(session: CallSession, accept: (r: Row[]) => boolean, timeoutMs: number, what: string): Promise<Row[]> {
  const end = Date.now() + timeoutMs;
  let last: Row[] = [];
  while (Date.now() < end) {
    last = await rows(session);
    if (accept(last)) return last;
    await new Promise((ok) => setTimeout(ok, 300));
  }
  throw new Error(`timed out waiting for ${what}; last rows: ${JSON.stringify(last)}`);
}

/** The participants the page under test expects (the demo call or a site fixture). */
async function expected(session: CallSession): Promise<Expected[]> {
  return session.page.evaluate(() => {
    const w = window as any;
    if (w.siteCall) return w.siteCall.participants();
    return w.demoCall.participants().map((p: { id: string; name: string }) => ({ key: p.id, id: p.id, name: p.name, self: p.id === 'single_face' }));
  });
}

/** Prints how each row was named (`naming on <page>: Alice (caption), Tile 3 (fallback)`), for the record of what each rule names. */
function logNaming(page: string, shown: Row[]): void {
  console.log(`naming on ${page}: ${shown.map((r) => `${r.name} (${r.nameFrom})`).join(', ')}`);
}

async function rename(session: CallSession, key: string, name: string): Promise<void> {
  await session.page.evaluate(([k, n]) => ((window as any).siteCall ?? (window as any).demoCall).rename(k, n), [key, name] as const);
}

/**
 * Starts the analysis on the open page and checks what every site must show: each participant
 * named with its id, the self view (and only it) marked, an emotion with 7 bars for the remote
 * face, no row for the screen share (`shareName`), and a rename keeping the row. Returns the
 * participants as the page reports them after the rename.
 */
async function checkSite(session: CallSession, shareName: RegExp, page: string): Promise<Expected[]> {
  const want = await expected(session);
  assert.equal(want.length, CLIPS.length, 'the fixture has one participant per clip');
  await session.start();
  const remote = want.find((p) => p.key === REMOTE)!;
  const shown = await waitForRows(
    session,
    (r) => want.every((p) => r.some((row) => row.id === p.id && row.name === p.name)) && r.some((row) => row.id === remote.id && EMOTION_TEXT.test(row.dominant)),
    SHOW_MS,
    'every participant named and the remote face with an emotion',
  );
  assert.deepEqual(shown.map((r) => r.id).sort(), want.map((p) => p.id).sort(), 'one row per participant, nothing else');
  for (const p of want) assert.equal(shown.find((r) => r.id === p.id)!.self, p.self, `${p.name}: self marker`);
  assert.equal(shown.find((r) => r.id === remote.id)!.bars, EMOTIONS.length, 'seven bars');
  assert.ok(!shown.some((r) => shareName.test(r.name)), `no row for the screen share: ${JSON.stringify(shown.map((r) => r.name))}`);
  logNaming(page, shown);
  for (const p of want) assert.equal(shown.find((r) => r.id === p.id)!.nameFrom, p.nameFrom ?? 'site', `${p.name}: the rule that named them`);

  const newName = `${remote.name} (renamed)`;
  await rename(session, remote.key, newName);
  const renamed = await waitForRows(session, (r) => r.some((row) => row.id === remote.id && row.name === newName), 10_000, 'the renamed row');
  assert.equal(renamed.length, want.length, 'the rename added no row');
  return expected(session);
}

describe('CallMood on each call site (real clips)', { skip }, () => {
  const { step, check } = scenario();
  let session: CallSession;
  const zoom = (query = ''): CallPage => ({ path: '/wc/', host: 'app.zoom.us', query });
  /**
   * One call site, checked on its own: when it fails, the analysis is stopped so that the
   * next site starts from an idle popup.
   */
  const site = (name: string, body: () => Promise<void>) =>
    check(name, async () => {
      try {
        await body();
      } catch (error) {
        await session.stop().catch(() => {});
        throw error;
      }
    });

  after(async () => {
    await session?.close();
  });

  step('Chromium opens with the extension loaded, app.zoom.us mapped to the test server, on the demo call', async () => {
    await ensureBuilt();
    session = await CallSession.open({ clips: CLIPS, args: [hostRulesArg(['app.zoom.us'])], page: { path: '/', query: 'present=1' } });
  });

  site('Google Meet look-alike (demo call): named rows, self marked, the presentation not analysed, a rename keeps the row', async () => {
    await checkSite(session, /presentation/i, 'Meet look-alike');
    await session.stop();
  });

  site('Google Meet without its participant ids (read as a late-2025 accessibility-tree reference describes it): the generic adapter names every tile from its name plate, the self view marked', async () => {
    await session.goto({ path: '/', query: 'noIds=1' });
    const want = await expected(session);
    await session.start();
    const shown = await waitForRows(session, (r) => r.length === want.length && want.every((p) => r.some((row) => row.name === p.name)), SHOW_MS, 'every tile named by its name plate');
    assert.deepEqual(shown.map((r) => r.name).sort(), want.map((p) => p.name).sort());
    logNaming('Meet without participant ids', shown);
    assert.ok(shown.every((r) => ['caption', 'overlay', 'nearby'].includes(r.nameFrom)), 'named by the page, never by an ARIA sentence or the fallback');
    assert.deepEqual(shown.filter((r) => r.self).map((r) => r.name), want.filter((p) => p.self).map((p) => p.name), 'the mirrored self view is marked');
    assert.match((await session.popup.getByTestId('site').textContent()) ?? '', /generic adapter/);
    await session.stop();
  });

  site('Zoom (WebGL canvases, gallery then speaker view): named rows through tab capture, ids kept across views', async () => {
    await session.goto(zoom('view=gallery'));
    const readable = await session.page.evaluate(() => (window as any).siteCall.canvasReadable());
    assert.equal(readable, false, 'the page cannot read its own WebGL tiles back (no preserveDrawingBuffer)');
    const want = await checkSite(session, /screen share/i, 'Zoom look-alike');
    assert.match((await session.popup.getByTestId('site').textContent()) ?? '', /app\.zoom\.us \(zoom adapter\)/);
    await session.page.evaluate(() => (window as any).siteCall.setView('speaker'));
    // Speaker view rebuilds every frame and shows the active speaker twice: same ids, same names, no extra row.
    await waitForRows(
      session,
      (r) => r.length === want.length && want.every((p) => r.some((row) => row.id === p.id && row.name === p.name)),
      10_000,
      'the same participants in speaker view',
    );
    await new Promise((ok) => setTimeout(ok, 1500));
    assert.deepEqual((await rows(session)).map((r) => r.id).sort(), want.map((p) => p.id).sort());
    await session.stop();
  });

  site('Microsoft Teams look-alike: named rows, self marked, the ScreenSharing stream not analysed, a rename keeps the row', async () => {
    await session.goto({ path: '/fixtures/teams-call/' });
    await checkSite(session, /presenting/i, 'Teams look-alike');
    assert.match((await session.popup.getByTestId('site').textContent()) ?? '', /teams adapter/);
    await session.stop();
  });

  site("Jitsi Meet look-alike (self-hosted): named rows, the local thumbnail marked, the large video and the -v1 screen share not analysed, the site's active speaker marked speaking", async () => {
    await session.goto({ path: '/fixtures/jitsi-call/' });
    const want = await checkSite(session, /screen/i, 'Jitsi look-alike');
    assert.match((await session.popup.getByTestId('site').textContent()) ?? '', /jitsi adapter/);
    // The page's dominant-speaker class moves from one participant to another: the popup follows it.
    const speakingRows = () => session.popup.$$eval('[data-testid="participant-row"][data-speaking="true"][data-speaking-source="site"]', (els) => els.map((el) => (el as HTMLElement).dataset.participantId));
    for (const who of [want.find((p) => p.key === REMOTE)!, want.find((p) => p.self)!]) {
      await session.page.evaluate((key) => (window as any).siteCall.setSpeaker(key), who.key);
      const end = Date.now() + 10_000;
      let ids: (string | undefined)[] = [];
      while (Date.now() < end && !(ids.length === 1 && ids[0] === who.id)) {
        await new Promise((ok) => setTimeout(ok, 300));
        ids = await speakingRows();
      }
      assert.deepEqual(ids, [who.id], `only ${who.name} is marked speaking by the site`);
    }
    await session.stop();
  });

  site('generic page with video and canvas tiles: captions or "Tile N" names, the mirrored self view, ids kept through a re-layout', async () => {
    await session.goto({ path: '/fixtures/generic-call/', query: 'media=mixed' });
    const want = await checkSite(session, /shared screen|Tile 4/i, 'generic page, video and canvas');
    await session.page.evaluate(() => (window as any).siteCall.relayout());
    await new Promise((ok) => setTimeout(ok, 1500));
    const after = await waitForRows(session, (r) => r.length === want.length, 5000, 'the rows after the re-layout');
    for (const p of want) assert.ok(after.some((r) => r.id === p.id && r.name === p.name), `${p.name} keeps ${p.id} after the re-layout: ${JSON.stringify(after)}`);
    // Outside the call sites the popup offers to keep access to the page.
    await session.stop();
    await session.popup.getByTestId('analyse-page').waitFor({ timeout: 5000 });
    assert.equal(await session.popup.getByTestId('page-access').getAttribute('data-pattern'), 'http://127.0.0.1/*');
  });

  site('generic page with canvas tiles only: every participant named, the canvas faces analysed', async () => {
    await session.goto({ path: '/fixtures/generic-call/', query: 'media=canvas' });
    await checkSite(session, /shared screen|Tile 4/i, 'generic page, canvas');
    await session.stop();
  });

  site("a Zoom page whose tile classes changed: the generic adapter takes over, names each tile from its name tag, and the popup says it doesn't recognise the layout", async () => {
    await session.goto(zoom('broken=1'));
    const want = await expected(session);
    await session.start();
    const notice = session.popup.getByTestId('fallback-notice');
    await notice.waitFor({ timeout: 20_000 });
    assert.equal(await notice.textContent(), "CallMood doesn't recognise this Zoom page's layout any more; using generic video detection.");
    const shown = await waitForRows(session, (r) => r.length === CLIPS.length, 20_000, 'one row per canvas tile');
    // The name tag in each tile, found by its generic `name-tag` class (page-labels.ts's caption rule).
    assert.deepEqual(shown.map((r) => r.name).sort(), want.map((p) => p.name).sort(), 'every tile named as the page names it');
    logNaming('Zoom page with changed classes', shown);
    assert.ok(shown.every((r) => r.nameFrom === 'caption'), "by the name tag in the tile's container");
    assert.equal(shown.filter((r) => r.self).length, 1, 'the mirrored self view is marked');
    assert.match((await session.popup.getByTestId('site').textContent()) ?? '', /generic adapter/);
    await session.stop();
  });
});
