/**
 * Our own emotion model as shipped: the model files in models/ are a complete TF.js
 * graph model for 48x48 gray input with 7 outputs in FER order, its weights file has exactly
 * the bytes its manifest declares, the parity fixture belongs to it, the registry describes it
 * as the model reads (48 px, gray, FER order), and it is the only emotion model of the
 * extension's own build.
 */
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CALLMOOD_MODEL_FILES } from '../../scripts/build.ts';
import { makeConfig, sanitizeOverrides } from '../../src/inference/config.ts';
import { CALLMOOD_MODEL, emotionModelIds, resolveEmotionModel } from '../../src/inference/emotion-models.ts';
import { EMOTIONS } from '../../src/shared/emotions.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const BYTES = { float32: 4, int32: 4, float16: 2 } as const;

test('models/callmood-emotion.json is a graph model for [-1, 48, 48, 1] gray input whose .bin holds exactly its weights', () => {
  const model = JSON.parse(readFileSync(join(root, 'models/callmood-emotion.json'), 'utf8'));
  assert.equal(model.format, 'graph-model');
  const input = model.modelTopology.node.find((n: { op: string }) => n.op === 'Placeholder');
  assert.deepEqual(input.attr.shape.shape.dim.map((d: { size: string }) => Number(d.size)), [-1, 48, 48, 1]);
  assert.deepEqual(model.userDefinedMetadata.callmood.classes, [...EMOTIONS]);
  const [group] = model.weightsManifest;
  assert.deepEqual(group.paths, ['callmood-emotion.bin']);
  assert.deepEqual([...CALLMOOD_MODEL_FILES].sort(), ['callmood-emotion.json', ...group.paths].sort(), 'the build copies the model and every weights file it names');
  let bytes = 0;
  for (const w of group.weights as { shape: number[]; dtype: 'float32' | 'int32'; quantization?: { dtype: 'float16' } }[]) {
    bytes += w.shape.reduce((a, b) => a * b, 1) * BYTES[w.quantization?.dtype ?? w.dtype];
  }
  assert.equal(statSync(join(root, 'models/callmood-emotion.bin')).size, bytes);
  assert.ok(bytes < 4 * 1024 * 1024, `weights are ${bytes} bytes (a few MB at most)`);
});

test('the parity fixture is for this model: 48x48 images in 0..255 and probability rows that sum to 1', () => {
  const fixture = JSON.parse(readFileSync(join(root, 'test/fixtures/emotion-model-parity.json'), 'utf8'));
  assert.equal(fixture.model, 'callmood-emotion.json');
  assert.equal(fixture.size, 48);
  assert.ok(fixture.images.length >= 2 && fixture.images.length === fixture.probabilities.length);
  for (const img of fixture.images as number[][]) assert.ok(img.length === 48 * 48 && img.every((v) => Number.isInteger(v) && v >= 0 && v <= 255));
  for (const p of fixture.probabilities as number[][]) assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-5);
});

test('the registry describes our model as its file says, and the extension build has it and the cascade\'s second model only', () => {
  const model = JSON.parse(readFileSync(join(root, 'models/callmood-emotion.json'), 'utf8'));
  assert.equal(CALLMOOD_MODEL.inputSide, 48);
  assert.equal(CALLMOOD_MODEL.channels, 1);
  assert.deepEqual([...CALLMOOD_MODEL.classOrder], model.userDefinedMetadata.callmood.classes);
  assert.deepEqual(emotionModelIds(), ['callmood', 'faceapi']);
  assert.equal(makeConfig().emotion.model, 'callmood');
  assert.ok(emotionModelIds().includes(makeConfig().emotion.cascadeModel), 'the shipped cascade model is in the build');
  assert.deepEqual(resolveEmotionModel('callmood', 0.5).map((m) => [m.spec.id, m.weight]), [['callmood', 1]]);
  assert.throws(() => resolveEmotionModel('human', 0.5), /emotion model 'human' is not in this build \(it has: callmood, faceapi\)/);
  assert.deepEqual(sanitizeOverrides({ emotion: { model: 'callmood', flipAverage: 'yes' } }), { overrides: { emotion: { model: 'callmood' } }, dropped: ['emotion.flipAverage'] });
});
