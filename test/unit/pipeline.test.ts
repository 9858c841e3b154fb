/**
 * The frame loop's per-participant logic with a scripted analyzer standing in for the models
 * (the real models are exercised in test/e2e): a face must be seen in `minFaceFrames`
 * consecutive frames before it counts, single-frame false faces never reach the live view or
 * the timeline, a confirmed face survives short misses, face boxes come back in the page's
 * CSS px, and an excluded participant (a tile, or one person of a multi-person tile) is
 * neither read, analysed, shown nor recorded from then on. Time runs on the pipeline's
 * injected clock.
 */
import assert from 'node:assert/strict';
import { unmeasuredQuality } from '../../src/inference/face-quality.ts';
import { test } from 'node:test';
import { makeConfig } from '../../src/inference/config.ts';
import type { TileAnalyzer, TileAnalysis, TileImage } from '../../src/inference/types.ts';
import type { NameSource } from '../../src/shared/types.ts';
import { TilePipeline, type FrameSource } from '../../src/engine/pipeline.ts';
import type { LiveUpdate } from '../../src/shared/messages.ts';
import type { SecondRecord } from '../../src/shared/timeline-store.ts';
import { toProbabilities } from '../../src/shared/emotions.ts';

/** Face fields beyond the box and probabilities: no landmarks, a readable quality. */
const READABLE = { signals: null, landmarks: null, quality: unmeasuredQuality(80) };

const HAPPY = toProbabilities([0, 0, 0, 0.9, 0, 0, 0.1]);

/** A frame source whose tile images are `scale` px per CSS px of their tiles (the pixels are never read: the analyzer is scripted). */
function source(scale = 1): FrameSource {
  return {
    async read(tiles) {
      return tiles.map((t) => ({ id: t.id, image: null as never, width: Math.round(t.rect.width * scale), height: Math.round(t.rect.height * scale), cssRect: t.rect }));
    },
  };
}

/** One frame of the scripted analyzer: a face, no face, a tile the analyzer skipped, or a status with how long the picture has been identical. */
type Step = boolean | 'unchanged' | 'deferred' | 'black' | { status: 'unchanged' | 'analysed'; stillMs: number; face?: boolean };

function setup(script: Step[]) {
  let i = 0;
  const analyzer = {
    tf: null as never,
    backend: 'scripted',
    async analyse(crops: TileImage[]) {
      const step = script[i++] ?? false;
      const face = step === true || (typeof step === 'object' && step.face === true);
      const status = typeof step === 'string' ? step : typeof step === 'object' ? step.status : ('analysed' as const);
      const stillMs = typeof step === 'object' ? step.stillMs : 0;
      const tiles: TileAnalysis[] = crops.map((c) => {
        const found = face ? { box: { x: 10, y: 10, width: 50, height: 50 }, score: 0.9, meshScore: 1, probabilities: HAPPY, ...READABLE } : null;
        return { key: c.key, status, tracked: false, stillMs, smallFace: false, face: found, faces: found ? [found] : [] };
      });
      return { tiles, timing: { totalMs: 1, readMs: 0, detectMs: 1, trackMs: 0, emotionMs: 0, signalsMs: 0 } };
    },
    dispose() {},
  } satisfies TileAnalyzer;
  const live: LiveUpdate[] = [];
  const records: SecondRecord[] = [];
  const start = 1_700_000_000_000;
  let now = start;
  const pipeline = new TilePipeline(analyzer, makeConfig({ live: { minFaceFrames: 2, faceTimeoutMs: 1000 } }), { overlays: false, paused: false, onlyMe: false, baseline: false }, { tabId: 1, meetingId: 'm', startedAt: start, backendReason: 'test' }, {
    onLive: (u) => live.push(u),
    onRecords: (r) => records.push(...r),
    onError: (e) => assert.fail(e),
  }, () => now);
  pipeline.setTiles({ adapter: 'meet', site: 'x', viewport: { width: 640, height: 360 }, devicePixelRatio: 1, takenAt: start, tiles: [{ id: 'a', name: 'Ann', rect: { x: 0, y: 0, width: 320, height: 360 }, visible: true, isSelf: false }] });
  /** Runs one frame at `t` ms after the start. */
  const frame = async (t: number) => {
    now = start + t;
    await pipeline.step(source());
    return live.at(-1)!.participants[0]!;
  };
  return { frame, pipeline, records };
}

test('a face found in a single frame never shows and never reaches the timeline', async () => {
  const { frame, pipeline } = setup([false, true, false, false, true, false]);
  for (let k = 0; k < 6; k++) assert.equal((await frame(k * 200)).faceVisible, false, `frame ${k}`);
  const records = pipeline.stop();
  assert.ok(records.length > 0);
  for (const r of records) assert.equal(r.probabilities, null, `second ${r.second} has no face`);
});

test('two consecutive faces confirm it; a confirmed face survives a short miss and is lost after the timeout', async () => {
  const { frame } = setup([true, true, false, true, false, false, false, false, false, false, false]);
  assert.equal((await frame(0)).faceVisible, false, 'one frame is not enough');
  const second = await frame(200);
  assert.equal(second.faceVisible, true);
  assert.equal(second.dominant, 'happy');
  assert.equal((await frame(400)).faceVisible, true, 'a single miss keeps the face');
  assert.equal((await frame(600)).faceVisible, true, 'a face right after a miss counts at once');
  let last = await frame(800);
  for (let t = 1000; t <= 2000; t += 200) last = await frame(t);
  assert.equal(last.faceVisible, false, 'lost after faceTimeoutMs without a face');
});

test('an unchanged picture repeats its result every second until it is a frozen video; a black tile says so at once', async () => {
  const still = (stillMs: number): Step => ({ status: 'unchanged', stillMs });
  const script: Step[] = [true, true, ...[200, 400, 600, 800, 1000, 1200, 1400, 1600, 1800].map(still), still(2000), still(2200), still(2400), { status: 'analysed', stillMs: 3000, face: true }, still(3200)];
  const { frame, pipeline, records: flushed } = setup(script);
  await frame(0);
  assert.equal((await frame(200)).faceVisible, true);
  let last = await frame(400);
  for (let t = 600; t <= 2000; t += 200) last = await frame(t);
  assert.equal(last.faceVisible, true, 'a face on an unchanged picture stays shown past faceTimeoutMs');
  last = await frame(2200);
  assert.equal(last.faceVisible, false, 'identical for frozenAfterMs: a frozen video');
  assert.equal(last.gap, 'frozen');
  await frame(2400);
  await frame(2600);
  last = await frame(3000);
  assert.equal(last.gap, 'frozen', 'the frozen check\'s recheck of the same picture does not bring the face back');
  await frame(3200);
  const records = [...flushed, ...pipeline.stop()];
  assert.deepEqual(records.map((r) => [r.second, r.probabilities !== null, r.gap]), [[0, true, null], [1, true, null], [2, true, null], [3, false, 'frozen']], 'every second is recorded');

  const black = setup([true, true, 'black', 'black']);
  await black.frame(0);
  await black.frame(100);
  const p = await black.frame(200);
  assert.equal(p.faceVisible, false, 'a black tile loses its face at once');
  assert.equal(p.gap, 'black');

  const empty = setup([false, 'deferred', 'deferred', false, 'deferred']);
  for (let k = 0; k < 5; k++) {
    const q = await empty.frame(k * 100);
    assert.equal(q.faceVisible, false);
    assert.equal(q.analysed, true, 'a deferred tile is still being analysed');
    assert.equal(q.gap, 'no-face');
  }
});

test('on a slow machine a face is not lost between two analyses that are further apart than the face timeout', async () => {
  const { frame } = setup([true, true, false, true, false, false, false]);
  await frame(0);
  assert.equal((await frame(1500)).faceVisible, true);
  assert.equal((await frame(3000)).faceVisible, true, 'one analysis without a face, 1.5 s later: still shown');
  assert.equal((await frame(4500)).faceVisible, true);
  await frame(6000);
  await frame(7500);
  const lost = await frame(9000);
  assert.equal(lost.faceVisible, false, 'lost after faceTimeoutAnalyses analyses without a face');
  assert.equal(lost.gap, 'no-face');
  assert.ok(Math.abs(lost.updateHz - 1000 / 1500) < 1e-9, `update rate ${lost.updateHz}`);
});

test('a multi-person tile becomes one participant per face, numbered by position, renamed with its tile', async () => {
  const SAD = toProbabilities([0, 0, 0, 0, 0.9, 0, 0.1]);
  const face = (x: number, probabilities = HAPPY) => ({ box: { x, y: 50, width: 80, height: 80 }, score: 0.9, meshScore: 1, probabilities, ...READABLE });
  // Frame by frame: the faces the analyzer finds in the recording (left one happy, right one sad).
  const script = [[face(10), face(400, SAD)], [face(405, SAD), face(12)], [face(14), face(410, SAD)], [face(16)]];
  let i = 0;
  const crops: { maxFaces?: number }[] = [];
  const analyzer = {
    tf: null as never,
    backend: 'scripted',
    async analyse(c: TileImage[]) {
      crops.push(...c);
      const faces = script[i++] ?? [];
      const tiles: TileAnalysis[] = c.map((t) => ({ key: t.key, status: 'analysed', tracked: false, stillMs: 0, smallFace: false, face: faces[0] ?? null, faces }));
      return { tiles, timing: { totalMs: 1, readMs: 0, detectMs: 1, trackMs: 0, emotionMs: 0, signalsMs: 0 } };
    },
    dispose() {},
  } satisfies TileAnalyzer;
  const live: LiveUpdate[] = [];
  const start = 1_700_000_000_000;
  let now = start;
  const pipeline = new TilePipeline(analyzer, makeConfig({ live: { minFaceFrames: 2 } }), { overlays: false, paused: false, onlyMe: false, baseline: false }, { tabId: 1, meetingId: 'm', startedAt: start, backendReason: 'test' }, {
    onLive: (u) => live.push(u),
    onRecords: () => {},
    onError: (e) => assert.fail(e),
  }, () => now);
  const snapshot = (name: string, nameFrom: NameSource = 'fallback') => ({ adapter: 'generic' as const, site: 'x', viewport: { width: 640, height: 360 }, devicePixelRatio: 1, takenAt: start, tiles: [{ id: 'tile-1', name, nameFrom, rect: { x: 0, y: 0, width: 640, height: 360 }, visible: true, isSelf: false, multiFace: true }] });
  pipeline.setTiles(snapshot('Tile 1'));
  const frame = async (t: number) => {
    now = start + t;
    await pipeline.step(source());
    return live.at(-1)!.participants;
  };
  await frame(0);
  assert.equal(crops[0]!.maxFaces, makeConfig().detector.maxFacesPerTile, 'a multi-person tile asks for several faces');
  await frame(100);
  let people = await frame(200);
  assert.deepEqual(people.map((p) => [p.id, p.name, p.dominant]), [['tile-1#1', 'Tile 1 · person 1', 'happy'], ['tile-1#2', 'Tile 1 · person 2', 'sad']]);
  assert.deepEqual(people.map((p) => p.nameFrom), ['fallback', 'fallback'], "the people's names come from their tile's");
  pipeline.setTiles(snapshot('Webinar', 'caption'));
  people = await frame(300);
  assert.deepEqual(people.map((p) => p.name), ['Webinar · person 1', 'Webinar · person 2'], 'no stand-in participant, renamed with the tile');
  assert.deepEqual(people.map((p) => p.nameFrom), ['caption', 'caption']);
  assert.equal(people[0]!.faceVisible, true);
});

test('face boxes come back in the CSS px of the tile the image shows', async () => {
  const { frame } = setup([true, true]);
  await frame(0);
  const p = await frame(100);
  // The scripted face is at (10, 10, 50, 50) in tile px; the image is 1:1 with the tile at (0, 0).
  assert.deepEqual(p.faceBox, { x: 10, y: 10, width: 50, height: 50 });
});

test('a tile image at half the CSS size maps its boxes back at twice the size, offset by the tile', async () => {
  const found = { box: { x: 10, y: 20, width: 30, height: 30 }, score: 0.9, meshScore: 1, probabilities: HAPPY, ...READABLE };
  const analyzer = {
    tf: null as never,
    backend: 'scripted',
    async analyse(c: TileImage[]) {
      return { tiles: c.map((t) => ({ key: t.key, status: 'analysed' as const, tracked: false, stillMs: 0, smallFace: false, face: found, faces: [found] })), timing: { totalMs: 1, readMs: 0, detectMs: 1, trackMs: 0, emotionMs: 0, signalsMs: 0 } };
    },
    dispose() {},
  } satisfies TileAnalyzer;
  const live: LiveUpdate[] = [];
  let now = 1_700_000_000_000;
  const pipeline = new TilePipeline(analyzer, makeConfig({ live: { minFaceFrames: 1 } }), { overlays: false, paused: false, onlyMe: false, baseline: false }, { tabId: 1, meetingId: 'm', startedAt: now, backendReason: 'test' }, { onLive: (u) => live.push(u), onRecords: () => {}, onError: (e) => assert.fail(e) }, () => now);
  pipeline.setTiles({ adapter: 'meet', site: 'x', viewport: { width: 1280, height: 720 }, devicePixelRatio: 1, takenAt: now, tiles: [{ id: 'b', name: 'Bo', rect: { x: 640, y: 360, width: 640, height: 360 }, visible: true, isSelf: false }] });
  await pipeline.step(source(0.5));
  now += 100;
  await pipeline.step(source(0.5));
  assert.deepEqual(live.at(-1)!.participants[0]!.faceBox, { x: 660, y: 400, width: 60, height: 60 });
});

test('a multi-person tile is read with its shorter side at the image cap, a one-person tile with its longer side', async () => {
  const { imageMaxSide } = await import('../../src/engine/pipeline.ts');
  assert.equal(imageMaxSide({ rect: { x: 0, y: 0, width: 1280, height: 360 } }, 480), 480);
  assert.equal(imageMaxSide({ rect: { x: 0, y: 0, width: 1280, height: 360 }, multiFace: true }, 480), 1707);
  assert.equal(imageMaxSide({ rect: { x: 0, y: 0, width: 0, height: 0 }, multiFace: true }, 480), 480);
});

test('an excluded participant is skipped: not read, not analysed, gone from the live view, their unfinished second dropped, kept out through new layouts', async () => {
  const keysPerFrame: string[][] = [];
  const analyzer = {
    tf: null as never,
    backend: 'scripted',
    async analyse(crops: TileImage[]) {
      keysPerFrame.push(crops.map((c) => c.key));
      const face = { box: { x: 10, y: 10, width: 50, height: 50 }, score: 0.9, meshScore: 1, probabilities: HAPPY, ...READABLE };
      const tiles: TileAnalysis[] = crops.map((c) => ({ key: c.key, status: 'analysed', tracked: false, stillMs: 0, smallFace: false, face, faces: [face] }));
      return { tiles, timing: { totalMs: 1, readMs: 0, detectMs: 1, trackMs: 0, emotionMs: 0, signalsMs: 0 } };
    },
    dispose() {},
  } satisfies TileAnalyzer;
  const start = 1_700_000_000_000;
  let now = start;
  const live: LiveUpdate[] = [];
  const records: SecondRecord[] = [];
  const pipeline = new TilePipeline(analyzer, makeConfig({ live: { minFaceFrames: 2 } }), { overlays: false, paused: false, onlyMe: false, baseline: false }, { tabId: 1, meetingId: 'm', startedAt: start, backendReason: 'test' }, {
    onLive: (u) => live.push(u),
    onRecords: (r) => records.push(...r),
    onError: (e) => assert.fail(e),
  }, () => now);
  const tile = (id: string, x: number) => ({ id, name: id.toUpperCase(), rect: { x, y: 0, width: 200, height: 200 }, visible: true, isSelf: false });
  const layout = (takenAt: number) => ({ adapter: 'meet' as const, site: 'x', viewport: { width: 640, height: 360 }, devicePixelRatio: 1, takenAt, tiles: [tile('a', 0), tile('b', 200)] });
  const read: string[][] = [];
  const counting: FrameSource = { read: async (tiles, v, m) => (read.push(tiles.map((t) => t.id)), source().read(tiles, v, m)) };
  pipeline.setTiles(layout(start));
  for (const t of [0, 200, 400, 1000, 1200]) {
    now = start + t;
    await pipeline.step(counting);
  }
  assert.deepEqual(live.at(-1)!.participants.map((p) => p.id), ['a', 'b']);
  pipeline.exclude(['b']); // in second 1, after two analyses of b in it
  assert.deepEqual(pipeline.live!.participants.map((p) => p.id), ['a'], 'gone from the live view at once');
  read.length = 0;
  keysPerFrame.length = 0;
  for (const t of [1400, 2000, 2200]) {
    now = start + t;
    if (t === 2000) pipeline.setTiles(layout(now)); // the page still shows b's tile
    await pipeline.step(counting);
  }
  assert.deepEqual(read, [['a'], ['a'], ['a']], 'b\'s tile is not even read');
  assert.deepEqual(keysPerFrame, [['a'], ['a'], ['a']]);
  assert.deepEqual(live.at(-1)!.participants.map((p) => p.id), ['a']);
  assert.equal(pipeline.isExcluded('b'), true);
  const all = [...records, ...pipeline.stop()];
  assert.deepEqual(all.filter((r) => r.participantId === 'b').map((r) => r.second), [0], 'b keeps only the second handed on before the exclusion');
  assert.deepEqual(all.filter((r) => r.participantId === 'a').map((r) => r.second), [0, 1, 2]);
});

test('excluding one person of a multi-person tile keeps the others', async () => {
  const start = 1_700_000_000_000;
  let now = start;
  const live: LiveUpdate[] = [];
  const records: SecondRecord[] = [];
  const faceAt = (x: number) => ({ box: { x, y: 20, width: 60, height: 60 }, score: 0.9, meshScore: 1, probabilities: HAPPY, ...READABLE });
  const analyzer = {
    tf: null as never,
    backend: 'scripted',
    async analyse(crops: TileImage[]) {
      const faces = [faceAt(20), faceAt(300)];
      return { tiles: crops.map((c) => ({ key: c.key, status: 'analysed' as const, tracked: false, stillMs: 0, smallFace: false, face: faces[0]!, faces })), timing: { totalMs: 1, readMs: 0, detectMs: 1, trackMs: 0, emotionMs: 0, signalsMs: 0 } };
    },
    dispose() {},
  } satisfies TileAnalyzer;
  const pipeline = new TilePipeline(analyzer, makeConfig({ live: { minFaceFrames: 2 } }), { overlays: false, paused: false, onlyMe: false, baseline: false }, { tabId: 1, meetingId: 'm', startedAt: start, backendReason: 'test' }, {
    onLive: (u) => live.push(u),
    onRecords: (r) => records.push(...r),
    onError: (e) => assert.fail(e),
  }, () => now);
  pipeline.setTiles({ adapter: 'generic', site: 'x', viewport: { width: 640, height: 360 }, devicePixelRatio: 1, takenAt: start, tiles: [{ id: 'room', name: 'Room', rect: { x: 0, y: 0, width: 640, height: 360 }, visible: true, isSelf: false, multiFace: true }] });
  for (const t of [0, 200]) {
    now = start + t;
    await pipeline.step(source());
  }
  assert.deepEqual(live.at(-1)!.participants.map((p) => p.id).sort(), ['room#1', 'room#2']);
  pipeline.exclude(['room#2']);
  for (const t of [400, 1000, 1200]) {
    now = start + t;
    await pipeline.step(source());
  }
  assert.deepEqual(live.at(-1)!.participants.map((p) => p.id), ['room#1']);
  const all = [...records, ...pipeline.stop()];
  assert.equal(all.filter((r) => r.participantId === 'room#2').length, 0, 'their unfinished second 0 is dropped');
  assert.deepEqual(all.filter((r) => r.participantId === 'room#1').map((r) => r.second), [0, 1]);
});

test('a tile whose camera is off reads "camera off", is not analysed, and its seconds are recorded as camera-off; the picture coming back is analysed again', async () => {
  const { frame, pipeline, records } = setup([true, true, true, true]);
  await frame(0);
  await frame(200);
  const off = { adapter: 'meet' as const, site: 'x', viewport: { width: 640, height: 360 }, devicePixelRatio: 1, takenAt: 0, tiles: [{ id: 'a', name: 'Ann', rect: { x: 0, y: 0, width: 320, height: 360 }, visible: false, hidden: 'camera-off' as const, isSelf: false }] };
  pipeline.setTiles(off);
  for (const t of [1200, 1400, 2200, 3200]) {
    const p = await frame(t);
    assert.equal(p.gap, 'camera-off', `frame at ${t} ms`);
    assert.equal(p.analysed, false);
  }
  pipeline.setTiles({ ...off, tiles: [{ ...off.tiles[0]!, visible: true, hidden: undefined }] });
  await frame(4200);
  const back = await frame(4400);
  assert.equal(back.gap, null, 'analysed again with its picture back');
  const byGap = new Map(records.map((r) => [r.second, r.gap]));
  assert.equal(byGap.get(0), null, 'second 0 had a face');
  assert.equal(byGap.get(2), 'camera-off');
  assert.equal(byGap.get(3), 'camera-off');
});
