/**
 * npm run screenshot:mirror [-- --out FILE] [--no-build]
 *
 * The README's picture of the mirror page (default docs/mirror.png): Chromium's fake camera
 * plays the WolfgangLanger clip (ffmpeg makes the Y4M under os.tmpdir()), the page is shot
 * once the face reads happy, with the landmarks and head-pose axes on. The camera picture is
 * blurred in the shot (CSS filter on the video only), so the picture shows the page, not the
 * person: the clip may be used for tests, not republished.
 */
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from './build.ts';
import { launchWithExtension } from './lib/browser.ts';
import { ROOT, VIDEOS_DIR } from './lib/call-session.ts';
import { fakeCameraArgs, fakeCameraFile } from './lib/fake-camera.ts';

const { values } = parseArgs({ options: { out: { type: 'string' }, 'no-build': { type: 'boolean', default: false } } });

async function main(): Promise<void> {
  const out = resolve(values.out ?? join(ROOT, 'docs/mirror.png'));
  if (!values['no-build']) await build();
  const camera = await fakeCameraFile(join(VIDEOS_DIR, 'WolfgangLanger_Pexels.webm'), join(tmpdir(), 'callmood-bench'), 640, 15);
  const eb = await launchWithExtension({ extensionDir: join(ROOT, 'dist/chrome'), args: fakeCameraArgs(camera) });
  try {
    const page = await eb.context.newPage();
    await page.setViewportSize({ width: 1100, height: 650 });
    await page.goto(`chrome-extension://${eb.extensionId}/mirror.html`);
    await page.getByTestId('toggle-landmarks').check();
    await page.waitForFunction(() => document.querySelector('[data-testid="emotion"]')?.getAttribute('data-emotion') === 'happy' && Number(document.body.dataset.fps) > 1, null, { timeout: 120_000, polling: 200 });
    await page.addStyleTag({ content: '[data-testid="camera-video"] { filter: blur(14px) brightness(0.9); }' });
    await page.waitForTimeout(300);
    await page.screenshot({ path: out });
    console.log(`Wrote ${out}`);
  } finally {
    await eb.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
