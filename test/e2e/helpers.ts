/** Shared set-up for the end-to-end tests: the build, the data folder, skip reasons and ordered steps. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
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
  return existsSync(chromePath()) ? false : `Chromium not found at ${chromePath()} (npm run browsers -- chromium installs it, or set CHROME_PATH)`;
}

/** Why tests on the real clips cannot run here, or false. */
export function noVideosReason(): string | false {
  return listClips().length ? false : `no face clips in ${VIDEOS_DIR} (../shared/data/videos is absent)`;
}

/** Folder for test artefacts (screenshots, exports), kept for inspection after a failure. */
export const TEST_OUTPUT = join(ROOT, 'test-output');

/** The body of one step or check; it gets node:test's context. */
type StepBody = (t: TestContext) => unknown;

/** Defines one test of a scenario: a title, its body and how long it may take (ms). */
type StepDefiner = (name: string, body: StepBody, timeoutMs?: number) => void;

/** A step may take this long unless it says otherwise, ms. */
const STEP_TIMEOUT_MS = 180_000;

/**
 * The tests of one end-to-end scenario, each a test of its own that node:test runs in the
 * order defined (inside one `describe`), so a report names the step that broke:
 * - `step`: an action later tests build on (open the browser, start the analysis, export).
 *   When it fails or runs past its time, every later step and check is skipped, and the
 *   skip message names it.
 * - `check`: what a user sees at that point, read from the page or from what earlier steps
 *   recorded. Skipped when a step before it failed; its own failure skips nothing, so it
 *   must leave nothing that later tests rely on.
 */
export function scenario(): { step: StepDefiner; check: StepDefiner } {
  let broken: string | null = null;
  const define =
    (blocksLater: boolean): StepDefiner =>
    (name, body, timeoutMs = STEP_TIMEOUT_MS) =>
      test(name, async (t) => {
        if (broken !== null) {
          t.skip(`the earlier step "${broken}" failed`);
          return;
        }
        let timer: NodeJS.Timeout | undefined;
        const overtime = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`still running after ${timeoutMs} ms`)), timeoutMs);
        });
        try {
          await Promise.race([Promise.resolve().then(() => body(t)), overtime]);
        } catch (error) {
          if (blocksLater) broken = name;
          throw error;
        } finally {
          clearTimeout(timer);
        }
      });
  return { step: define(true), check: define(false) };
}
