/**
 * Proves the generic naming rules (src/content/page-labels.ts) on happy-dom pages shaped like
 * real call clients: an SFU room whose panel headings read "Remote Video #N <name>" with
 * resolution and bitrate badges over the picture, name labels drawn over a tile's lower part,
 * names just below a picture, accessible names by id; and that buttons, timers, status texts,
 * texts two tiles share and text near two tiles never name anyone ("Tile N" then), that
 * a changed label renames the tile under the same id, and that site adapters fall back to it;
 * and which pictures are no tile (a left-over video with no source) or a camera that is off.
 * happy-dom has no layout, so boxes are stubbed with `setRect`.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { Window } from 'happy-dom';
import { playingVideos } from '../fixtures/happy-video.ts';
import { createGenericAdapter } from '../../src/content/platforms/generic.ts';
import { meetAdapter } from '../../src/content/platforms/meet.ts';
import { mediaState } from '../../src/content/dom-helpers.ts';
import { isNotAName, pageLabels } from '../../src/content/page-labels.ts';

const windows: Window[] = [];
afterEach(() => {
  for (const w of windows.splice(0)) void w.happyDOM.close();
});

function page(html: string): Document {
  const win = new Window({ url: 'https://sfu.example/room', width: 1280, height: 800 });
  windows.push(win);
  playingVideos(win);
  win.document.write(`<body>${html}</body>`);
  return win.document as unknown as Document;
}

/** Stubs `el`'s bounding box (happy-dom computes no layout). */
function setRect(el: Element | null, x: number, y: number, width: number, height: number): void {
  assert.ok(el, 'element exists');
  const rect = { x, y, left: x, top: y, width, height, right: x + width, bottom: y + height };
  Object.defineProperty(el, 'getBoundingClientRect', { configurable: true, value: () => ({ ...rect, toJSON: () => rect }) });
}

const names = (doc: Document) => createGenericAdapter().findTiles(doc).map((t) => [t.name, t.nameFrom]);

describe('page labels', () => {
  it('an SFU room: the panel heading names each publisher, without its "Remote Video #N" template or the badges over the picture', () => {
    const panel = (n: number, name: string) => `<div class="col"><div class="card"><div class="card-header"><span class="card-title">Remote Video #${n} <span class="badge" id="remote${n}">${name}</span></span></div>
      <div class="card-body" id="videoremote${n}"><video id="v${n}"></video><span class="badge" id="curres${n}">640x360</span><span class="badge" id="curbitrate${n}">234 kbits/sec</span></div></div></div>`;
    const doc = page(`<div class="container"><h1>Plugin Demo: Video Room</h1><div class="row">${panel(1, 'Alice Wolfgang')}${panel(2, 'Bob Single')}</div></div>`);
    setRect(doc.getElementById('v1'), 0, 100, 320, 240);
    setRect(doc.getElementById('v2'), 340, 100, 320, 240);
    assert.deepEqual(names(doc), [
      ['Alice Wolfgang', 'caption'],
      ['Bob Single', 'caption'],
    ]);
  });

  it('a name label over the lower part of the picture, beside a status and a timer', () => {
    const tile = (n: number, name: string) => `<div class="tile" id="t${n}"><video id="v${n}"></video><div class="label" id="l${n}">${name}</div><div class="state" id="s${n}">Muted</div><div id="c${n}">12:04</div><button>Pin ${name}</button></div>`;
    const doc = page(`<div class="grid">${tile(1, 'Carol Shaw')}${tile(2, 'Dennis Ritchie')}</div>`);
    for (const n of [1, 2]) {
      const x = (n - 1) * 340;
      setRect(doc.getElementById(`v${n}`), x, 0, 320, 180);
      setRect(doc.getElementById(`l${n}`), x + 8, 150, 100, 20);
      setRect(doc.getElementById(`s${n}`), x + 200, 150, 60, 20);
      setRect(doc.getElementById(`c${n}`), x + 8, 8, 40, 20);
    }
    assert.deepEqual(names(doc), [
      ['Carol Shaw', 'overlay'],
      ['Dennis Ritchie', 'overlay'],
    ]);
  });

  it('a name just below each picture; a text below both pictures names neither', () => {
    const doc = page(`<div class="grid"><div><video id="v1"></video></div><div><video id="v2"></video></div></div>
      <p id="n1">Edsger Dijkstra</p><p id="n2">Frances Allen</p><p id="both">Weekly sync</p><p id="far">Far Away</p>`);
    setRect(doc.getElementById('v1'), 0, 0, 320, 180);
    setRect(doc.getElementById('v2'), 340, 0, 320, 180);
    setRect(doc.getElementById('n1'), 10, 186, 200, 20);
    setRect(doc.getElementById('n2'), 350, 186, 200, 20);
    setRect(doc.getElementById('both'), 0, 210, 660, 20);
    setRect(doc.getElementById('far'), 10, 400, 200, 20);
    assert.deepEqual(names(doc), [
      ['Edsger Dijkstra', 'nearby'],
      ['Frances Allen', 'nearby'],
    ]);
    doc.getElementById('n1')!.remove();
    doc.getElementById('n2')!.remove();
    assert.deepEqual(names(doc), [
      ['Tile 1', 'fallback'],
      ['Tile 2', 'fallback'],
    ]);
  });

  it('accessible names: aria-labelledby by id, then aria-label or title on the tile alone; a label on the whole grid names nobody', () => {
    const doc = page(`<span id="who">Grace Hopper</span><div aria-label="Video grid"><div aria-labelledby="who"><video id="v1"></video></div><div title="Alan Kay"><video id="v2"></video></div><div><video id="v3"></video></div></div>`);
    for (const n of [1, 2, 3]) setRect(doc.getElementById(`v${n}`), (n - 1) * 340, 0, 320, 180);
    assert.deepEqual(names(doc), [
      ['Grace Hopper', 'accessible-name'],
      ['Alan Kay', 'accessible-name'],
      ['Tile 3', 'fallback'],
    ]);
  });

  it('a text two tiles show ("Stage") is no name; a changed label renames the tile under the same id', () => {
    const doc = page(`<div><div class="t"><video id="v1"></video><h4 id="h1">Stage</h4></div><div class="t"><video id="v2"></video><h4 id="h2">Stage</h4></div></div>`);
    setRect(doc.getElementById('v1'), 0, 0, 320, 180);
    setRect(doc.getElementById('v2'), 340, 0, 320, 180);
    const adapter = createGenericAdapter();
    assert.deepEqual(adapter.findTiles(doc).map((t) => [t.id, t.name]), [
      ['tile-1', 'Tile 1'],
      ['tile-2', 'Tile 2'],
    ]);
    doc.getElementById('h1')!.textContent = 'Barbara Liskov';
    doc.getElementById('h2')!.textContent = 'Ken Thompson';
    assert.deepEqual(adapter.findTiles(doc).map((t) => [t.id, t.name]), [
      ['tile-1', 'Barbara Liskov'],
      ['tile-2', 'Ken Thompson'],
    ]);
  });

  it('Meet without its name spans: the name label over the tile, never its ARIA label', () => {
    const tile = (n: number, name: string) => `<div data-participant-id="spaces/x/devices/${n}" aria-label="Video of ${name}"><video id="v${n}"></video><div id="l${n}">${name}</div></div>`;
    const doc = page(`<div>${tile(1, 'Ada Lovelace')}${tile(2, 'Hedy Lamarr')}<div data-participant-id="spaces/x/devices/3" aria-label="Video of Someone"><video id="v3"></video></div></div>`);
    for (const n of [1, 2, 3]) setRect(doc.getElementById(`v${n}`), (n - 1) * 340, 0, 320, 180);
    setRect(doc.getElementById('l1'), 8, 150, 100, 20);
    setRect(doc.getElementById('l2'), 348, 150, 100, 20);
    assert.deepEqual(
      meetAdapter.findTiles(doc).map((t) => [t.name, t.nameFrom]),
      [
        ['Ada Lovelace', 'overlay'],
        ['Hedy Lamarr', 'overlay'],
        ['Participant 3', 'fallback'],
      ],
    );
  });

  it('what is never a name: timers, statuses, figures with units, generic words, punctuation', () => {
    for (const t of ['', '12:04', '(01:02:03)', 'Muted', 'Connecting…', 'Camera off', '640x360', '234 kbits/sec', '30 fps', 'Remote video', 'Local Video', 'Participant 3', '—', '42']) assert.ok(isNotAName(t), t);
    for (const t of ['Ada', 'José Núñez', '李雷', 'Bob (guest)']) assert.ok(!isNotAName(t), t);
  });

  it('a video with no source left behind by someone who left is no tile; one paused without a frame, or whose stream has no live video track, is camera-off', () => {
    const doc = page(`<div><video id="v1"></video><video id="v2"></video><video id="v3"></video><canvas id="c"></canvas></div>`);
    for (const [n, id] of ['v1', 'v2', 'v3', 'c'].entries()) setRect(doc.getElementById(id), n * 340, 0, 320, 180);
    const v = (id: string) => doc.getElementById(id) as HTMLVideoElement;
    const set = (el: Element, props: Record<string, unknown>) => {
      for (const [k, value] of Object.entries(props)) Object.defineProperty(el, k, { configurable: true, get: () => value });
    };
    assert.deepEqual(['v1', 'v2', 'v3', 'c'].map((id) => mediaState(doc.getElementById(id)!)), ['picture', 'picture', 'picture', 'picture']);
    set(v('v1'), { currentSrc: '', srcObject: null });
    set(v('v2'), { videoWidth: 0, paused: true });
    set(v('v3'), { srcObject: { id: 's3', getVideoTracks: () => [{ readyState: 'ended', muted: false }] } });
    assert.deepEqual(['v1', 'v2', 'v3', 'c'].map((id) => mediaState(doc.getElementById(id)!)), ['gone', 'camera-off', 'camera-off', 'picture']);
    assert.deepEqual(createGenericAdapter().findTiles(doc).map((t) => t.video.id), ['v2', 'v3', 'c'], 'the left-over video is no tile');
  });

  it('no pictures, no labels', () => {
    assert.deepEqual(pageLabels([]), []);
  });
});

describe('the last tile left in a call', () => {
  it('stays one participant under its id, not a multi-person tile, once the page has shown several', () => {
    const doc = page(`<div><div><h3>Alice</h3><video id="v1"></video></div><div id="b"><h3>Bob</h3><video id="v2"></video></div></div>`);
    setRect(doc.getElementById('v1'), 0, 0, 320, 180);
    setRect(doc.getElementById('v2'), 340, 0, 320, 180);
    const adapter = createGenericAdapter();
    assert.deepEqual(adapter.findTiles(doc).map((t) => [t.id, t.name, t.multiFace ?? false]), [
      ['tile-1', 'Alice', false],
      ['tile-2', 'Bob', false],
    ]);
    doc.getElementById('b')!.remove();
    assert.deepEqual(adapter.findTiles(doc).map((t) => [t.id, t.name, t.multiFace ?? false]), [['tile-1', 'Alice', false]]);
    // The page's own title comes before the panel in the page, but the panel's heading is nearer.
    doc.body.firstElementChild!.prepend(Object.assign(doc.createElement('h1'), { textContent: 'Plugin Demo: Video Room' }));
    assert.deepEqual(adapter.findTiles(doc).map((t) => t.name), ['Alice'], 'the panel heading, not the page title');
    const recording = page(`<main><video id="r"></video></main>`);
    setRect(recording.getElementById('r'), 0, 0, 1280, 720);
    assert.equal(createGenericAdapter().findTiles(recording)[0]!.multiFace, true, 'a page with one video only is a recording');
  });
});
