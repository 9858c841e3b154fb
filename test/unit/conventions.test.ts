/**
 * House conventions (STYLE.md items 1, 10, 12): every platform adapter is registered, the
 * manifest's host permissions are exactly the adapters' call sites, the message contract's
 * names are routed by receiver prefix, and every message receiver has a handler map.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ADAPTERS } from '../../src/content/platforms/index.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

test('every adapter file in src/content/platforms is registered, generic last', () => {
  const files = readdirSync(join(root, 'src/content/platforms')).filter((f) => f.endsWith('.ts') && f !== 'index.ts');
  assert.deepEqual(ADAPTERS.map((a) => `${a.name}.ts`).sort(), files.sort());
  assert.equal(ADAPTERS.at(-1)!.name, 'generic');
});

test("the manifest's host permissions are exactly the adapters' call sites (least privilege)", () => {
  const manifest = JSON.parse(readFileSync(join(root, 'manifest.json'), 'utf8'));
  const fromAdapters = [...new Set(ADAPTERS.flatMap((a) => a.hostPatterns))].sort();
  assert.deepEqual([...manifest.host_permissions].sort(), fromAdapters);
  assert.ok(!JSON.stringify(manifest).includes('<all_urls>'), 'no <all_urls>');
});

test('message names are prefixed by their receiver and every receiver has a handler map', () => {
  const contract = readFileSync(join(root, 'src/shared/messages.ts'), 'utf8');
  const names = [...contract.matchAll(/^\s+'([a-z]+\/[a-z-]+)':/gm)].map((m) => m[1]!);
  assert.ok(names.length >= 10, `found ${names.length} message names`);
  const receivers = { bg: 'src/background/main.ts', offscreen: 'src/offscreen/main.ts', content: 'src/content/main.ts' } as const;
  for (const name of names) {
    const prefix = name.split('/')[0] as keyof typeof receivers;
    assert.ok(prefix in receivers, `${name} has a known receiver`);
    const source = readFileSync(join(root, receivers[prefix]), 'utf8');
    assert.ok(source.includes(`'${name}'`), `${receivers[prefix]} handles ${name}`);
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
  const { DEFAULT_CONFIG } = await import('../../src/offscreen/config.ts');
  const report = JSON.parse(readFileSync(join(root, 'bench/results/accuracy.json'), 'utf8'));
  for (const [key, value] of Object.entries(report.chosen.overrides as Record<string, unknown>)) {
    assert.deepEqual((DEFAULT_CONFIG as unknown as Record<string, unknown>)[key], value, `DEFAULT_CONFIG.${key}`);
  }
});
