/**
 * House conventions: every adapter file under src/content/platforms
 * is registered, and the manifest grants exactly the adapters' call sites: its host
 * permissions (and any statically declared content script's matches) are the adapters' URL
 * patterns, and each adapter recognises by URL exactly the pages its patterns grant, so an
 * adapter never runs where the extension has no access, nor is access granted where no
 * adapter works.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Window } from 'happy-dom';
import { ADAPTERS, chooseAdapter } from '../../src/content/platforms/index.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const manifest = JSON.parse(readFileSync(join(root, 'manifest.json'), 'utf8'));
const SITES = ADAPTERS.filter((a) => a.hostPatterns.length > 0);

/** True when `url` is covered by the match pattern `pattern` (`scheme://host/path`, `*.` host prefix, `*` path glob). */
function patternMatches(pattern: string, url: URL): boolean {
  const m = /^(https?):\/\/(\*|\*\.[^/]+|[^/*]+)(\/.*)$/.exec(pattern);
  assert.ok(m, `${pattern} is a match pattern this test understands`);
  const [, scheme, host, path] = m as unknown as [string, string, string, string];
  if (url.protocol !== `${scheme}:`) return false;
  const hostOk = host === '*' || (host.startsWith('*.') ? url.hostname === host.slice(2) || url.hostname.endsWith(host.slice(1)) : url.hostname === host);
  const pathRe = new RegExp(`^${path.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return hostOk && pathRe.test(url.pathname + url.search);
}

/** Page URLs on the hosts of `pattern`: its bare domain and a subdomain when it has a `*.` wildcard. */
function urlsOf(pattern: string): URL[] {
  const host = new URL(pattern.replace('*.', 'wild.')).hostname;
  const hosts = pattern.includes('://*.') ? [host.slice('wild.'.length), `us05web.${host.slice('wild.'.length)}`] : [host];
  return hosts.map((h) => new URL(`https://${h}/j/123?pwd=x`));
}

/** Look-alike and unrelated pages no adapter may claim. */
const FOREIGN = [
  'https://example.com/',
  'https://notzoom.us/j/1',
  'https://zoom.us.example.com/j/1',
  'https://meet.google.com.example.com/abc',
  'https://google.com/',
  'https://teams.microsoft.com.example.net/',
  'https://live.com/',
  'https://jit.si/room',
  'https://8x8.vc/room',
].map((u) => new URL(u));

const windows: Window[] = [];
after(async () => {
  await Promise.all(windows.map((w) => w.happyDOM.close()));
});

test('every adapter file in src/content/platforms is registered', () => {
  const files = readdirSync(join(root, 'src/content/platforms')).filter((f) => f.endsWith('.ts') && f !== 'index.ts');
  assert.deepEqual(ADAPTERS.map((a) => `${a.name}.ts`).sort(), files.sort());
});

test("the manifest's host permissions and content-script matches are exactly the adapters' URL patterns (least privilege)", () => {
  const fromAdapters = [...new Set(ADAPTERS.flatMap((a) => a.hostPatterns))].sort();
  assert.deepEqual([...manifest.host_permissions].sort(), fromAdapters);
  const contentMatches: string[] = (manifest.content_scripts ?? []).flatMap((c: { matches: string[] }) => c.matches);
  for (const m of contentMatches) assert.ok(fromAdapters.includes(m), `content script matches ${m}, which no adapter declares`);
  assert.ok(!JSON.stringify(manifest).includes('<all_urls>'), 'no <all_urls>');
});

test('each site adapter recognises by URL exactly the pages its host patterns grant', () => {
  const samples = [...SITES.flatMap((a) => a.hostPatterns.flatMap(urlsOf)), ...FOREIGN];
  for (const adapter of SITES) {
    for (const url of samples) {
      const granted = adapter.hostPatterns.some((p) => patternMatches(p, url));
      assert.equal(adapter.matchesUrl(url), granted, `${adapter.name}.matchesUrl(${url.href}) while its patterns ${granted ? 'grant' : 'do not grant'} it`);
    }
  }
});

test("on every page its patterns grant, chooseAdapter picks that site's adapter by URL alone", () => {
  for (const adapter of SITES) {
    for (const url of adapter.hostPatterns.flatMap(urlsOf)) {
      const win = new Window({ url: url.href });
      windows.push(win);
      const choice = chooseAdapter(win.document as unknown as Document, { href: url.href });
      assert.equal(choice.site?.name, adapter.name, url.href);
    }
  }
});

test('envelopes are recognised only by their receiver', async () => {
  // webextension-polyfill refuses to load outside an extension; give it the one field it checks.
  (globalThis as { chrome?: unknown }).chrome ??= { runtime: { id: 'unit-test' } };
  const { envelope, isEnvelopeFor } = await import('../../src/shared/messages.ts');
  const e = envelope('bg/stop', {});
  assert.equal(isEnvelopeFor(e, 'bg'), true);
  assert.equal(isEnvelopeFor(e, 'offscreen'), false);
  assert.equal(isEnvelopeFor({ name: 'bg/stop', payload: {} }, 'bg'), false, 'foreign messages without the marker are ignored');
  assert.equal(isEnvelopeFor(null, 'bg'), false);
});

test('the shipped inference defaults are what the accuracy protocol chose (bench/results/accuracy.json)', async () => {
  const { DEFAULT_CONFIG } = await import('../../src/inference/config.ts');
  const report = JSON.parse(readFileSync(join(root, 'bench/results/accuracy.json'), 'utf8'));
  // The report names knobs as the configuration did when it was written: nested (stage.knob)
  // or, in reports from before the nesting, flat; LEGACY maps the flat names the report uses.
  const LEGACY: Record<string, string> = { emotionModel: 'emotion.model', flipAverage: 'emotion.flipAverage', lighting: 'emotion.lighting', emotionCropScale: 'emotion.cropScale', temperature: 'emotion.temperature', emotionAntialias: 'emotion.antialias' };
  const flat = (o: Record<string, unknown>, prefix = ''): [string, unknown][] =>
    Object.entries(o).flatMap(([k, v]) => (typeof v === 'object' && v !== null ? flat(v as Record<string, unknown>, `${prefix}${k}.`) : [[`${prefix}${k}`, v] as [string, unknown]]));
  const chosen = flat(report.chosen.overrides as Record<string, unknown>);
  assert.ok(chosen.length >= 5, 'the report names the chosen knobs');
  for (const [key, value] of chosen) {
    const path = (LEGACY[key] ?? key).split('.');
    const shipped = path.reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], DEFAULT_CONFIG);
    assert.notEqual(shipped, undefined, `${key} is a knob of the configuration`);
    assert.deepEqual(shipped, value, `DEFAULT_CONFIG.${path.join('.')}`);
  }
});

test('the shipped emotion crop framing and cascade are what the protocol chose (bench/results/crop-cascade.json)', async () => {
  const { DEFAULT_CONFIG } = await import('../../src/inference/config.ts');
  const report = JSON.parse(readFileSync(join(root, 'bench/results/crop-cascade.json'), 'utf8'));
  assert.equal(DEFAULT_CONFIG.emotion.align, report.framing.chosen, 'DEFAULT_CONFIG.emotion.align');
  const chosen = report.chosen.overrides.emotion as Record<string, unknown>;
  for (const knob of ['cascadeModel', 'cascadeBelow', 'cascadeClasses', 'cascadeWeight', 'cascadeTemperature']) {
    if (knob in chosen) assert.deepEqual((DEFAULT_CONFIG.emotion as Record<string, unknown>)[knob], chosen[knob], `DEFAULT_CONFIG.emotion.${knob}`);
  }
  assert.equal(DEFAULT_CONFIG.emotion.cascadeModel, chosen.cascadeModel ?? '', 'a cascade ships exactly when the protocol chose one');
});
