/**
 * The mirror page in Debian's Firefox ESR (WebDriver BiDi, dist/firefox as a temporary add-on)
 * on Firefox's own fake camera (`media.navigator.streams.fake`: a moving colour picture, no
 * face): the camera opens in the extension page, the models load and analyse its pictures, the
 * page says it is looking for a face, and Record / Stop keeps a meeting of site `camera`.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe } from 'node:test';
import { ROOT } from '../../scripts/lib/call-session.ts';
import { FirefoxBidi, noFirefoxReason } from '../../scripts/lib/firefox.ts';
import { ensureBuilt, scenario } from './helpers.ts';

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

describe('the mirror in Firefox ESR on its fake camera', { skip: noFirefoxReason() }, () => {
  const { step, check } = scenario();
  let ff: FirefoxBidi;
  let page = '';

  const body = async (): Promise<Record<string, string>> => JSON.parse(String(await ff.evaluate(page, 'JSON.stringify({ ...document.body.dataset })'))) as Record<string, string>;
  /** Polls the page's body data until `ok` holds, at most `ms`. */
  const until = async (ok: (b: Record<string, string>) => boolean, ms: number, what: string) => {
    const end = Date.now() + ms;
    let last: Record<string, string> = {};
    while (Date.now() < end) {
      last = await body();
      if (ok(last)) return last;
      await sleep(500);
    }
    const text = String(await ff.evaluate(page, 'document.body.innerText'));
    assert.fail(`${what}: not within ${ms} ms; body data ${JSON.stringify(last)}; page text: ${text.slice(0, 600)}; Firefox log tail: ${ff.log.join('').slice(-1000)}`);
  };

  after(async () => {
    await ff?.close();
  });

  step('Firefox ESR starts with a fake camera and opens the mirror page of dist/firefox', async () => {
    await ensureBuilt();
    ff = await FirefoxBidi.launch({ prefs: { 'media.navigator.streams.fake': true, 'media.navigator.permission.disabled': true } });
    const id = await ff.installTemporary(join(ROOT, 'dist/firefox'));
    page = await ff.newTab(`${await ff.extensionBaseUrl(id)}mirror.html`, true);
  });

  step('the camera opens and the models analyse its pictures', async () => {
    // 120 s: model loading and the backend's warm-up on 2 shared cores.
    const b = await until((d) => d.camera === 'error' || (d.camera === 'on' && Number(d.fps) > 0), 120_000, 'the camera on and pictures analysed');
    assert.equal(b.camera, 'on', `camera error: ${b.cameraError}`);
    assert.ok(b.backend, 'the backend is shown');
    const emotion = String(await ff.evaluate(page, `document.querySelector('[data-testid="emotion"]').textContent`));
    assert.match(emotion, /looking for your face/, 'no face in the fake picture, and the page says so');
  });

  check('Record and Stop keep a meeting of site camera', async () => {
    await ff.evaluate(page, `document.querySelector('[data-testid="record"]').click()`);
    await until((d) => d.recording === 'true', 10_000, 'recording');
    await sleep(3_000);
    await ff.evaluate(page, `document.querySelector('[data-testid="record-stop"]').click()`);
    const b = await until((d) => d.recording === 'false' && Boolean(d.meetingId), 10_000, 'the recording kept');
    assert.match(b.meetingId!, /^camera-/);
    const saved = String(await ff.evaluate(page, `document.querySelector('[data-testid="saved"]').textContent`));
    assert.match(saved, /Recording kept: 0:0[2-4]/);
  });
});
