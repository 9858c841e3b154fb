/**
 * The offscreen-document service: created on the first hold (and only once for holds that
 * come together), kept while anything holds it, closed when the last hold is released, a
 * failed or silent creation reported and its hold dropped. Chrome's API is replaced by a
 * recording fake; the ready timeout runs on node:test mock timers.
 */
import assert from 'node:assert/strict';
import { mock, test } from 'node:test';
import { OffscreenDocumentService, type OffscreenApi } from '../../src/background/offscreen-document.ts';

function fakeApi(opts: { failCreate?: boolean } = {}) {
  const calls: string[] = [];
  let open = false;
  const api: OffscreenApi = {
    async exists() {
      return open;
    },
    async create() {
      calls.push('create');
      if (opts.failCreate) throw new Error('Only a single offscreen document may be created.');
      open = true;
    },
    async close() {
      calls.push('close');
      open = false;
    },
  };
  return { api, calls, isOpen: () => open };
}

/** Lets pending promise callbacks run. */
const settle = () => new Promise((r) => setImmediate(r));

test('two holders coming together create one document; it closes only when both let go', async () => {
  const { api, calls, isOpen } = fakeApi();
  const service = new OffscreenDocumentService(api);
  const a = service.acquire('analysis');
  const b = service.acquire('export');
  await settle();
  service.ready();
  await Promise.all([a, b]);
  assert.deepEqual(calls, ['create']);
  await service.release('analysis');
  assert.equal(isOpen(), true, 'still held by the other holder');
  await service.release('export');
  assert.equal(isOpen(), false);
  assert.deepEqual(calls, ['create', 'close']);
});

test('a document that never says it is ready fails the hold after the timeout', async () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const { api } = fakeApi();
    const service = new OffscreenDocumentService(api, 10_000);
    const held = service.acquire('analysis');
    await settle();
    mock.timers.tick(10_000);
    await assert.rejects(held, /did not become ready in 10 s/);
  } finally {
    mock.timers.reset();
  }
});

test('a failed creation is reported and leaves no hold behind', async () => {
  const { api, calls } = fakeApi({ failCreate: true });
  const service = new OffscreenDocumentService(api);
  await assert.rejects(service.acquire('analysis'), /single offscreen document/);
  await service.release('analysis');
  assert.deepEqual(calls, ['create'], 'nothing to close');
});
