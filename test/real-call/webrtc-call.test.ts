/**
 * CallMood on a real WebRTC call: Debian's Janus (an open-source SFU) runs its VideoRoom in a
 * network namespace made for the test (scripts/lib/sfu.ts), two publishers join its own demo
 * page from headless Chromiums whose fake cameras play the face clips (Alice: WolfgangLanger,
 * Bob: single_face), and CallMood's browser, without a fake camera (it would replace tab capture
 * too), joins as a viewer that publishes nothing. The analysis is started as a user starts it
 * (toolbar click, Start). The popup must list one row per publisher, named as the page names
 * them (the display name in the heading of the person's panel), each with an emotion that fits
 * the clip (Bob ends happy; Alice: any emotion with a face), and no row for the viewer; when Bob
 * closes his tab, his row must leave the live view within 5 s, and Alice's must stay, the only
 * one, with her id and name (her video is now the page's only one). Every process
 * started runs in the namespace and is stopped by pid; the namespace is deleted
 * (docs/real-call.md).
 */
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { triggerToolbarAction, type ExtensionBrowser } from '../../scripts/lib/browser.ts';
import { ROOT, VIDEOS_DIR, listClips, readPopupRows, type PopupRow } from '../../scripts/lib/call-session.ts';
import { fakeCameraArgs, fakeCameraFile, noFfmpegReason } from '../../scripts/lib/fake-camera.ts';
import { joinRoom, launchExtensionInCall, launchInCall, noSfuReason, roomPanels, startSfu, stopSfu, type RoomPanel, type Sfu } from '../../scripts/lib/sfu.ts';
import { EMOTIONS } from '../../src/shared/emotions.ts';
import { ensureBuilt, noBrowserReason, scenario, TEST_OUTPUT } from '../e2e/helpers.ts';

/** The publishers: display names (the demo accepts letters and digits only) and their clips. */
const ALICE = { name: 'AliceWolfgang', clip: 'WolfgangLanger_Pexels.webm' };
const BOB = { name: 'BobSingle', clip: 'single_face.webm' };
const VIEWER = 'CallMoodViewer';
const EMOTION_TEXT = new RegExp(`^(${EMOTIONS.join('|')}) \\d+%$`);
/** How long the popup may take to show both publishers with a face (model load included), ms. */
const SHOW_MS = 60_000;
/** How soon after a hang-up the row must leave the live view, ms (the issue's "a few seconds"). */
const LEAVE_MS = 5_000;

const missingClips = [ALICE.clip, BOB.clip].filter((c) => !listClips().includes(c));
const skip = noBrowserReason() || noSfuReason() || noFfmpegReason() || (missingClips.length ? `clips missing in ${VIDEOS_DIR}: ${missingClips.join(', ')}` : false);

/** Polls the popup until `accept` holds; fails with the last rows after `timeoutMs`. */
async function waitForRows(popup: Page, accept: (r: PopupRow[]) => boolean, timeoutMs: number, what: string): Promise<PopupRow[]> {
  const end = Date.now() + timeoutMs;
  let last: PopupRow[] = [];
  while (Date.now() < end) {
    last = await readPopupRows(popup);
    if (accept(last)) return last;
    await new Promise((ok) => setTimeout(ok, 250));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; the popup showed: ${describeRows(last)}`);
}

function describeRows(rows: PopupRow[]): string {
  return rows.length ? rows.map((r) => `${r.id} "${r.name}": ${r.dominant || '-'}`).join('; ') : 'no row';
}

/**
 * Which participant each tile on the page is, by CallMood's overlay boxes: participant id ->
 * the display name of the panel whose video holds the box's centre. Independent of the names
 * CallMood gives, so the emotions can be checked even where the naming is wrong.
 */
async function whoIsWho(page: Page, panels: RoomPanel[]): Promise<Map<string, string>> {
  const boxes = await page.evaluate(() => {
    const root = document.getElementById('callmood-overlay-root');
    const scope: ParentNode | null = root ? (root.shadowRoot ?? root) : null;
    return [...(scope?.querySelectorAll<HTMLElement>('[data-callmood-overlay]') ?? [])].map((el) => {
      const r = el.getBoundingClientRect();
      return { id: el.dataset.callmoodOverlay ?? '', x: r.left + r.width / 2, y: r.top + r.height / 2 };
    });
  });
  const out = new Map<string, string>();
  for (const b of boxes) {
    const panel = panels.find((p) => p.video && b.x >= p.video.left && b.x <= p.video.left + p.video.width && b.y >= p.video.top && b.y <= p.video.top + p.video.height);
    if (panel) out.set(b.id, panel.name);
  }
  return out;
}

/** Whether `rowName` names the person the page calls `displayName` (the name itself, or a heading holding it as a word) and nobody else. */
function namedAs(rowName: string, displayName: string, others: string[]): boolean {
  const word = (n: string) => new RegExp(`(^|\\W)${n}(\\W|$)`).test(rowName);
  return word(displayName) && !others.some(word);
}

describe('CallMood on a real WebRTC call (Janus VideoRoom, two publishers, CallMood as a viewer)', { skip }, () => {
  const { step, check } = scenario();
  let sfu: Sfu | null = null;
  const publishers = new Map<string, { browser: Browser; page: Page }>();
  let eb: ExtensionBrowser;
  let viewer: Page;
  let popup: Page;
  let panels: RoomPanel[] = [];
  let ids = new Map<string, string>();
  /** The popup's rows as soon as Bob's row left. */
  let afterHangUp: PopupRow[] | null = null;
  const out = join(TEST_OUTPUT, 'webrtc-call');

  after(async () => {
    if (sfu) {
      await viewer?.screenshot({ path: join(out, 'viewer-last.png') }).catch(() => {});
      await popup?.screenshot({ path: join(out, 'popup-last.png') }).catch(() => {});
      await stopSfu(sfu);
    }
  });

  step('Janus starts in its own network namespace, its VideoRoom demo served on the veth link (198.18.0.0/15)', async () => {
    await ensureBuilt();
    await mkdir(out, { recursive: true });
    sfu = await startSfu();
    const info = (await (await fetch(`${sfu.janusUrl}/info`)).json()) as { name: string; plugins: Record<string, unknown> };
    assert.ok('janus.plugin.videoroom' in info.plugins, `the VideoRoom plugin is loaded: ${Object.keys(info.plugins).join(', ')}`);
    assert.match(sfu.netnsAddress, /^198\.1[89]\./);
  });

  step('two publishers join the room from Chromium with the clips as fake cameras', async () => {
    for (const who of [ALICE, BOB]) {
      const y4m = await fakeCameraFile(join(VIDEOS_DIR, who.clip), join(ROOT, '.tmp/fake-camera'));
      const browser = await launchInCall(sfu!, fakeCameraArgs(y4m));
      const page = browser.contexts()[0]!.pages()[0] ?? (await browser.contexts()[0]!.newPage());
      await page.goto(sfu!.roomUrl());
      await joinRoom(page, who.name);
      await page.waitForFunction(() => (document.querySelector<HTMLVideoElement>('#videolocal video')?.videoWidth ?? 0) > 0, null, { timeout: 20_000 });
      publishers.set(who.name, { browser, page });
    }
  });

  step("CallMood's browser (no fake camera) joins as a viewer and sees both publishers' video", async () => {
    eb = await launchExtensionInCall(sfu!, { extensionDir: join(ROOT, 'dist/chrome') });
    viewer = eb.context.pages()[0] ?? (await eb.context.newPage());
    await viewer.setViewportSize({ width: 1280, height: 900 });
    await viewer.goto(sfu!.roomUrl('subscriber-mode=true'));
    await joinRoom(viewer, VIEWER);
    const end = Date.now() + 30_000;
    while (Date.now() < end) {
      panels = await roomPanels(viewer);
      if (panels.filter((p) => p.name && (p.video?.videoWidth ?? 0) > 0).length === 2) break;
      await viewer.waitForTimeout(300);
    }
    assert.deepEqual(panels.map((p) => p.name).sort(), [ALICE.name, BOB.name].sort(), `the page names both publishers: ${JSON.stringify(panels)}`);
    assert.ok(panels.every((p) => (p.video?.videoWidth ?? 0) > 0), `both videos play: ${JSON.stringify(panels)}`);
    const local = await viewer.locator('#videolocal video').count();
    assert.equal(local, 0, 'the viewer publishes no video of its own');
  });

  step('the analysis starts as a user starts it (toolbar click, Start) and the popup shows two tiles with a face', async () => {
    const worker = eb.context.serviceWorkers().find((w) => w.url().startsWith(`chrome-extension://${eb.extensionId}/`))!;
    await viewer.bringToFront();
    const tabId = await worker.evaluate(async () => {
      const tabs = await chrome.tabs.query({ active: true });
      return tabs.length === 1 ? (tabs[0]!.id ?? -1) : -1;
    });
    assert.ok(tabId >= 0, 'the viewer tab is found');
    popup = await eb.context.newPage();
    await popup.setViewportSize({ width: 400, height: 760 });
    await popup.goto(`chrome-extension://${eb.extensionId}/popup.html?tabId=${tabId}`);
    const state = () => popup.evaluate(() => ({ state: document.querySelector<HTMLElement>('[data-testid="state"]')?.dataset.state ?? '', text: document.body.innerText.slice(0, 600) }));
    /** The toolbar click and Start, as a user does; true once the popup says the analysis runs (within `ms`). */
    const start = async (ms: number): Promise<boolean> => {
      await popup.waitForFunction(() => /start/i.test(document.querySelector('[data-testid="start-stop"]')?.textContent ?? '') && !document.querySelector<HTMLButtonElement>('[data-testid="start-stop"]')?.disabled, null, { timeout: 30_000 });
      await viewer.bringToFront();
      await triggerToolbarAction(eb, viewer);
      await popup.getByTestId('start-stop').click();
      return popup
        .waitForFunction(() => document.querySelector<HTMLElement>('[data-testid="state"]')?.dataset.state === 'running', null, { timeout: ms })
        .then(() => true)
        .catch(() => false);
    };
    const pressed = Date.now();
    // 90 s: model loading and the backend's warm-up beside three Chromiums on 2 cores (24-53 s
    // measured). A start that ends idle or in an error is pressed once more, as a user would,
    // and what the popup said is printed.
    if (!(await start(90_000))) {
      const first = await state();
      console.log(`the first Start did not run the analysis in 90 s: state "${first.state}"; the popup said: ${first.text.replace(/\s+/g, ' ')}`);
      if (first.state === 'starting' || first.state === 'stopping') assert.fail(`the analysis did not start in 90 s: state ${first.state}; ${first.text}`);
      if (first.state !== 'running' && !(await start(90_000))) {
        const second = await state();
        assert.fail(`the analysis did not start after two Starts: state ${second.state}; the popup said: ${second.text.replace(/\s+/g, ' ')}`);
      }
    }
    console.log(`analysis running ${((Date.now() - pressed) / 1000).toFixed(1)} s after Start`);
    const started = Date.now();
    await waitForRows(popup, (r) => r.filter((row) => EMOTION_TEXT.test(row.dominant)).length >= 2, SHOW_MS, 'two rows with an emotion');
    console.log(`both faces read ${((Date.now() - started) / 1000).toFixed(1)} s after that`);
    // Map participants to the page's people by the overlay boxes over the panels' videos.
    const toggle = popup.getByTestId('overlay-toggle');
    if (!(await toggle.isChecked())) await toggle.click();
    const end = Date.now() + 10_000;
    while (Date.now() < end && ids.size < 2) {
      await viewer.waitForTimeout(300);
      panels = await roomPanels(viewer);
      ids = await whoIsWho(viewer, panels);
    }
    await viewer.screenshot({ path: join(out, 'viewer.png') });
    await popup.screenshot({ path: join(out, 'popup.png') });
    assert.deepEqual([...ids.values()].sort(), [ALICE.name, BOB.name].sort(), `one overlay box over each publisher's video: ${JSON.stringify([...ids])}`);
  }, 300_000);

  check('one row per publisher and none for the viewer, each named as the page names them', async () => {
    const rows = await readPopupRows(popup);
    assert.equal(rows.length, 2, `one row per publisher, none for the viewer: ${describeRows(rows)}`);
    for (const [id, displayName] of ids) {
      const row = rows.find((r) => r.id === id);
      assert.ok(row, `a row for ${displayName} (${id}): ${describeRows(rows)}`);
      const others = [ALICE.name, BOB.name, VIEWER].filter((n) => n !== displayName);
      assert.ok(namedAs(row.name, displayName, others), `the row of ${displayName}'s tile is named "${row.name}", not as the page names them ("${displayName}"); the popup showed: ${describeRows(rows)}`);
      // The demo's panel heading above the video: "Remote Video #N <name>".
      assert.equal(row.nameFrom, 'caption', `${displayName} is named by the heading of their panel`);
    }
    console.log(`naming on the Janus VideoRoom: ${rows.map((r) => `${r.name} (${r.nameFrom})`).join(', ')}`);
  });

  check("each publisher's emotion fits the clip: BobSingle (single_face) reads happy, AliceWolfgang an emotion with a face", async () => {
    const idOf = (name: string) => [...ids].find(([, n]) => n === name)![0];
    const [alice, bob] = [idOf(ALICE.name), idOf(BOB.name)];
    // The clips loop as cameras: single_face is happy for about 2 s of its 2.4 s, so its row settles on happy.
    const rows = await waitForRows(
      popup,
      (r) => /^happy /.test(r.find((row) => row.id === bob)?.dominant ?? '') && EMOTION_TEXT.test(r.find((row) => row.id === alice)?.dominant ?? ''),
      20_000,
      `${BOB.name} (${bob}) happy and ${ALICE.name} (${alice}) with an emotion`,
    );
    assert.equal(Object.keys(rows.find((r) => r.id === bob)!.bars).length, EMOTIONS.length, 'seven bars');
  });

  check(`a publisher who hangs up (closes the tab) leaves the live view within ${LEAVE_MS / 1000} s`, async () => {
    const bob = [...ids].find(([, n]) => n === BOB.name)![0];
    const before = await readPopupRows(popup);
    assert.ok(before.some((r) => r.id === bob), `${BOB.name}'s row is there before the hang-up: ${describeRows(before)}`);
    const bobCall = publishers.get(BOB.name)!;
    const hungUp = Date.now();
    // Closing a tab runs its beforeunload, where janus.js leaves the room (a beacon to Janus).
    // Playwright's page.close({ runBeforeUnload: true }) does not run it on this Chromium
    // (measured: Janus heard nothing and kept Bob for its 60 s session timeout), so Bob's tab
    // first leaves the page, as the browser does on a close, and is then closed.
    await bobCall.page.goto('about:blank');
    await bobCall.page.close();
    let rows: PopupRow[] = before;
    try {
      rows = await waitForRows(popup, (r) => !r.some((row) => row.id === bob), LEAVE_MS, `${BOB.name}'s row to leave`);
    } catch (error) {
      // Say how long it did take, if it went at all, and what the page showed meanwhile.
      const page = JSON.stringify(await roomPanels(viewer));
      const later = await waitForRows(popup, (r) => !r.some((row) => row.id === bob), 25_000, `${BOB.name}'s row to leave`).then(
        () => `it left after ${((Date.now() - hungUp) / 1000).toFixed(1)} s`,
        () => 'it was still there 30 s after the hang-up',
      );
      throw new Error(`${(error as Error).message}; ${later}; the page's panels: ${page}`);
    }
    const left = Date.now() - hungUp;
    console.log(`${BOB.name}'s row left the live view ${left} ms after the hang-up`);
    const panelsAfter = await roomPanels(viewer);
    assert.ok(!panelsAfter.some((p) => p.name === BOB.name), `the page dropped ${BOB.name}'s panel too: ${JSON.stringify(panelsAfter)}`);
    afterHangUp = rows;
  });

  check(`after the hang-up, ${ALICE.name}'s row stays, the only one, with her name (also 3 s later)`, async () => {
    assert.ok(afterHangUp, 'the hang-up check did not get as far as the rows after it');
    const alice = [...ids].find(([, n]) => n === ALICE.name)![0];
    // The call page now has one video, which is still one person's tile, not a recording of several.
    await new Promise((ok) => setTimeout(ok, 3000));
    const snapshots: [string, PopupRow[]][] = [
      ['when Bob left', afterHangUp],
      ['3 s later', await readPopupRows(popup)],
    ];
    const seen = snapshots.map(([when, r]) => `${when}: ${describeRows(r)}`).join(' | ');
    for (const [when, r] of snapshots) {
      const row = r.find((x) => x.id === alice);
      assert.ok(row && r.length === 1, `${when}, ${ALICE.name}'s row (${alice}) is the only one; the popup showed ${seen}`);
      assert.ok(namedAs(row.name, ALICE.name, [BOB.name, VIEWER]), `${when}, ${ALICE.name}'s row (${alice}) keeps her name; the popup showed ${seen}`);
    }
  });
});
