/**
 * Proves how `npm test` and `npm run demo` get their browsers: nothing happens when they are
 * there; missing ones are installed with one apt-get run only on Debian as root (or under CI
 * with password-less sudo); everyone else is told the one command to run; a CHROME_PATH or
 * FIREFOX_PATH pointing at nothing is reported, never "fixed" by installing a package that
 * would not put a browser there. The paths agree with the ones the launchers use.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BROWSERS, planBrowsers, type HostFacts } from '../../scripts/ensure-browsers.ts';
import { chromePath } from '../../scripts/lib/browser.ts';
import { firefoxPath } from '../../scripts/lib/firefox.ts';

/** A Debian machine as root where only the files in `present` exist. */
function host(present: string[], facts: Partial<HostFacts> = {}): HostFacts {
  return { exists: (path) => present.includes(path), env: {}, debian: true, installer: 'root', ...facts };
}

const BOTH = ['chromium', 'firefox-esr'] as const;

test('nothing to do when every wanted browser is at its path', () => {
  assert.deepEqual(planBrowsers(BOTH, host(['/usr/bin/chromium', '/usr/bin/firefox-esr'])), { action: 'none' });
  assert.deepEqual(planBrowsers(['chromium'], host(['/usr/bin/chromium'])), { action: 'none' }, 'the demo needs Chromium only');
});

test('as root on Debian, the missing browsers are installed together, each once', () => {
  assert.deepEqual(planBrowsers(BOTH, host([])), { action: 'install', packages: ['chromium', 'firefox-esr'], sudo: false });
  assert.deepEqual(planBrowsers(['firefox-esr', 'chromium', 'firefox-esr'], host(['/usr/bin/chromium'])), { action: 'install', packages: ['firefox-esr'], sudo: false });
  assert.deepEqual(planBrowsers(BOTH, host([], { installer: 'sudo' })), { action: 'install', packages: ['chromium', 'firefox-esr'], sudo: true });
});

test('without root, the message is the one apt-get command for what is missing', () => {
  const plan = planBrowsers(BOTH, host(['/usr/bin/chromium'], { installer: null }));
  assert.equal(plan.action, 'tell');
  assert.match(plan.action === 'tell' ? plan.message : '', /\n {2}sudo apt-get update && sudo apt-get install -y firefox-esr$/);
});

test('off Debian, the message says which variable to set', () => {
  const plan = planBrowsers(['chromium'], host([], { debian: false }));
  assert.equal(plan.action, 'tell');
  assert.match(plan.action === 'tell' ? plan.message : '', /not found at \/usr\/bin\/chromium[\s\S]*export CHROME_PATH=\/path\/to\/chromium$/);
});

test('a CHROME_PATH or FIREFOX_PATH that points at nothing is reported, not installed over', () => {
  const env = { CHROME_PATH: '/opt/chrome/chrome' };
  assert.deepEqual(planBrowsers(['chromium'], host(['/opt/chrome/chrome'], { env })), { action: 'none' });
  const plan = planBrowsers(BOTH, host(['/usr/bin/chromium'], { env }));
  assert.equal(plan.action, 'tell');
  assert.match(plan.action === 'tell' ? plan.message : '', /^CHROME_PATH=\/opt\/chrome\/chrome does not exist/);
});

test('the defaults are the paths the browser launchers use', () => {
  const saved = { CHROME_PATH: process.env.CHROME_PATH, FIREFOX_PATH: process.env.FIREFOX_PATH };
  delete process.env.CHROME_PATH;
  delete process.env.FIREFOX_PATH;
  try {
    assert.equal(BROWSERS.chromium.defaultPath, chromePath());
    assert.equal(BROWSERS['firefox-esr'].defaultPath, firefoxPath());
  } finally {
    for (const [k, v] of Object.entries(saved)) if (v !== undefined) process.env[k] = v;
  }
});
