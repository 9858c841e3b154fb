/**
 * Proves the popup's page-access texts: the fallback notice names the site whose layout is no
 * longer recognised (and there is none without a fallback), and the optional host permission
 * asked for by "Analyse this page" covers exactly the page's origin, only for http(s) pages.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';

// webextension-polyfill refuses to load outside an extension; give it the one field it checks.
(globalThis as { chrome?: unknown }).chrome ??= { runtime: { id: 'unit-test' } };
const { fallbackText, originPattern } = await import('../../src/popup/page-access.tsx');

test('the fallback notice names the site and says generic detection is in use', () => {
  assert.equal(fallbackText('zoom'), "CallMood doesn't recognise this Zoom page's layout any more; using generic video detection.");
  assert.match(fallbackText('teams')!, /Microsoft Teams page's layout/);
  assert.equal(fallbackText(null), null);
  assert.equal(fallbackText(undefined), null);
  assert.equal(fallbackText('generic'), null);
});

test('"Analyse this page" asks for the page origin only, and only on http(s) pages', () => {
  assert.equal(originPattern('https://webinar.example.com/live/42?x=1'), 'https://webinar.example.com/*');
  assert.equal(originPattern('http://127.0.0.1:8080/'), 'http://127.0.0.1/*');
  assert.equal(originPattern('chrome://extensions/'), null);
  assert.equal(originPattern('file:///tmp/a.html'), null);
  assert.equal(originPattern(undefined), null);
  assert.equal(originPattern('not a url'), null);
});
