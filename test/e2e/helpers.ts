/** Shared set-up for the end-to-end tests: the build, the data folder and skip reasons. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { build } from '../../scripts/build.ts';
import { listClips, ROOT, VIDEOS_DIR } from '../../scripts/lib/call-session.ts';
import { chromePath } from '../../scripts/lib/browser.ts';

/** Builds dist/ once per test process unless CALLMOOD_SKIP_BUILD=1 (npm test builds first). */
let built: Promise<void> | null = null;
export function ensureBuilt(): Promise<void> {
  if (process.env.CALLMOOD_SKIP_BUILD === '1' && existsSync(join(ROOT, 'dist/chrome/manifest.json'))) return Promise.resolve();
  built ??= build();
  return built;
}

/** Why browser tests cannot run here, or false. */
export function noBrowserReason(): string | false {
  return existsSync(chromePath()) ? false : `Chromium not found at ${chromePath()} (apt-get install chromium, or set CHROME_PATH)`;
}

/** Why tests on the real clips cannot run here, or false. */
export function noVideosReason(): string | false {
  return listClips().length ? false : `no face clips in ${VIDEOS_DIR} (../shared/data/videos is absent)`;
}

/** Folder for test artefacts (screenshots, exports), kept for inspection after a failure. */
export const TEST_OUTPUT = join(ROOT, 'test-output');
