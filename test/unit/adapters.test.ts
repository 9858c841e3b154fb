/**
 * Proves the call-site adapters (Meet, Zoom, Teams, Jitsi, generic) find the right tiles, ids,
 * names and self view, skip screen shares, never report a participant twice, keep ids stable
 * through re-layout and renames, and that `chooseAdapter` picks by URL, then by DOM, and falls
 * back to generic (saying which site it fell back from) when the site's selectors match nothing.
 * happy-dom has no layout, so element boxes are stubbed with `setRect`.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { afterEach, describe, it } from 'node:test';
import { Window } from 'happy-dom';
import { playingVideos } from '../fixtures/happy-video.ts';
import { chooseAdapter } from '../../src/content/platforms/index.ts';
import { meetAdapter } from '../../src/content/platforms/meet.ts';
import { createGenericAdapter } from '../../src/content/platforms/generic.ts';
import { jitsiAdapter } from '../../src/content/platforms/jitsi.ts';
import { teamsAdapter } from '../../src/content/platforms/teams.ts';
import { zoomAdapter } from '../../src/content/platforms/zoom.ts';

const FIXTURE = readFileSync(new URL('../fixtures/meet-grid.html', import.meta.url), 'utf8');
const windows: Window[] = [];

/** A happy-dom page at `url` holding `html`. */
function page(url: string, html: string): Document {
  const win = new Window({ url, width: 1280, height: 800 });
  windows.push(win);
  playingVideos(win);
  win.document.write(html);
  return win.document as unknown as Document;
}

/** Stubs `el`'s bounding box (happy-dom computes no layout). */
function setRect(el: Element, x: number, y: number, width: number, height: number): void {
  const rect = { x, y, left: x, top: y, width, height, right: x + width, bottom: y + height };
  Object.defineProperty(el, 'getBoundingClientRect', { configurable: true, value: () => ({ ...rect, toJSON: () => rect }) });
}

function byId<T extends Element = Element>(doc: Document, id: string): T {
  const el = doc.getElementById(id);
  assert.ok(el, `#${id} exists`);
  return el as unknown as T;
}

/** Marks `video` as playing (happy-dom videos never play). */
function setPlaying(video: HTMLVideoElement): void {
  Object.defineProperty(video, 'paused', { configurable: true, value: false });
  Object.defineProperty(video, 'readyState', { configurable: true, value: 4 });
}

/** The Meet fixture with every video laid out in a 3-column grid of 320x180 tiles. */
function meetPage(url = 'https://meet.google.com/abc-defg-hij'): Document {
  const doc = page(url, FIXTURE);
  ['v1', 'v2', 'v3', 'v4b', 'v5'].forEach((id, i) => setRect(byId(doc, id), (i % 3) * 330, Math.floor(i / 3) * 190, 320, 180));
  setRect(byId(doc, 'v4a'), 0, 0, 0, 0); // display: none
  return doc;
}

afterEach(async () => {
  await Promise.all(windows.splice(0).map((w) => w.happyDOM.close()));
});

describe('Meet adapter', () => {
  it('finds one tile per participant with its id, notranslate name and self flag', () => {
    const doc = meetPage();
    const tiles = meetAdapter.findTiles(doc);
    assert.deepEqual(
      tiles.map((t) => [t.id, t.name, t.isSelf]),
      [
        ['spaces/abc/devices/1', 'Ada Lovelace', false],
        ['spaces/abc/devices/2', 'Grace Hopper', false],
        ['spaces/abc/devices/3', 'Me Myself', true],
        ['spaces/abc/devices/4', 'Alan Turing', false],
        ['spaces/abc/devices/5', 'Participant 5', false], // aria-label "Katherine Johnson" is ignored
      ],
    );
    assert.equal(tiles[0]!.element, byId(doc, 'tile-ada'));
    assert.equal(tiles[0]!.video, byId(doc, 'v1'));
  });

  it('reports nested data-participant-id elements once, as the outermost tile', () => {
    const doc = meetPage();
    const grace = meetAdapter.findTiles(doc).filter((t) => t.id === 'spaces/abc/devices/2');
    assert.equal(grace.length, 1);
    assert.equal(grace[0]!.element, byId(doc, 'tile-grace'));
    assert.equal(grace[0]!.video, byId(doc, 'v2'));
  });

  it('uses the outermost of nested tiles even when the inner one carries another id', () => {
    const doc = meetPage();
    byId(doc, 'tile-grace-inner').setAttribute('data-participant-id', 'spaces/abc/devices/2-inner');
    const ids = meetAdapter.findTiles(doc).map((t) => t.id);
    assert.ok(ids.includes('spaces/abc/devices/2'));
    assert.ok(!ids.includes('spaces/abc/devices/2-inner'));
  });

  it('reports a participant rendered twice once, keeping the larger copy', () => {
    const doc = meetPage();
    const copy = doc.createElement('div');
    copy.setAttribute('data-participant-id', 'spaces/abc/devices/1');
    copy.innerHTML = '<video id="v1-big"></video><span class="notranslate">Ada Lovelace</span>';
    doc.body.append(copy);
    setRect(byId(doc, 'v1-big'), 0, 0, 900, 500);
    const ada = meetAdapter.findTiles(doc).filter((t) => t.id === 'spaces/abc/devices/1');
    assert.equal(ada.length, 1);
    assert.equal(ada[0]!.video, byId(doc, 'v1-big'));
  });

  it('picks the visible video of a tile holding two, preferring a playing one over a larger one', () => {
    const doc = meetPage();
    const alan = () => meetAdapter.findTiles(doc).find((t) => t.id === 'spaces/abc/devices/4')!;
    assert.equal(alan().video, byId(doc, 'v4b'), 'the display:none video is skipped');

    const v4a = byId<HTMLVideoElement>(doc, 'v4a');
    v4a.style.display = '';
    setRect(v4a, 0, 0, 640, 360);
    assert.equal(alan().video, v4a, 'neither plays: the larger visible one wins');

    setPlaying(byId<HTMLVideoElement>(doc, 'v4b'));
    assert.equal(alan().video, byId(doc, 'v4b'), 'the playing one wins over a larger paused one');
  });

  it('ignores data-participant-id elements without a video (people panel)', () => {
    const doc = meetPage();
    const ids = meetAdapter.findTiles(doc).map((t) => t.id);
    assert.ok(!ids.includes('spaces/abc/devices/9'));
    assert.equal(ids.filter((id) => id === 'spaces/abc/devices/1').length, 1);
  });

  it('matches meet.google.com only, and looks like Meet when a participant tile holds a video', () => {
    assert.equal(meetAdapter.matchesUrl(new URL('https://meet.google.com/abc-defg-hij')), true);
    assert.equal(meetAdapter.matchesUrl(new URL('https://meet.google.com.evil.example/')), false);
    assert.equal(meetAdapter.matchesUrl(new URL('http://127.0.0.1:8080/demo.html')), false);
    assert.equal(meetAdapter.looksLike(meetPage('http://127.0.0.1:8080/')), true);
    assert.equal(meetAdapter.looksLike(page('http://127.0.0.1/', '<div data-participant-id="x"></div><video></video>')), false);
  });
});

describe('generic adapter', () => {
  const html = `<main>
    <video id="a" title="Lobby camera"></video>
    <figure aria-label="Speaker view"><div><video id="b"></video></div></figure>
    <video id="c"></video>
    <video id="small"></video>
  </main>`;

  function genericPage(): Document {
    const doc = page('https://example.com/call', html);
    setRect(byId(doc, 'a'), 0, 0, 320, 180);
    setRect(byId(doc, 'b'), 330, 0, 320, 180);
    setRect(byId(doc, 'c'), 660, 0, 96, 96);
    setRect(byId(doc, 'small'), 0, 200, 95, 200);
    return doc;
  }

  it('reports videos of at least 96x96 px with title / labelled-ancestor / fallback names', () => {
    const doc = genericPage();
    const tiles = createGenericAdapter().findTiles(doc);
    assert.deepEqual(
      tiles.map((t) => [t.id, t.name, t.isSelf, t.video.id]),
      [
        ['tile-1', 'Lobby camera', false, 'a'],
        ['tile-2', 'Speaker view', false, 'b'],
        ['tile-3', 'Tile 3', false, 'c'],
      ],
    );
  });

  it('keeps ids stable when videos are re-ordered, re-laid out or joined by new ones', () => {
    const doc = genericPage();
    const adapter = createGenericAdapter();
    const before = new Map(adapter.findTiles(doc).map((t) => [t.video, t.id]));
    const main = doc.querySelector('main')!;
    main.prepend(byId(doc, 'c'));
    setRect(byId(doc, 'a'), 500, 400, 200, 120);
    const added = doc.createElement('video');
    main.prepend(added);
    setRect(added, 0, 0, 400, 300);
    const after = adapter.findTiles(doc);
    assert.deepEqual(after.map((t) => t.id), ['tile-4', 'tile-3', 'tile-1', 'tile-2']);
    for (const t of after) if (before.has(t.video)) assert.equal(t.id, before.get(t.video));
  });
});

describe('chooseAdapter', () => {
  it('picks Meet by URL', () => {
    const choice = chooseAdapter(meetPage(), { href: 'https://meet.google.com/abc-defg-hij' });
    assert.equal(choice.adapter.name, 'meet');
    assert.equal(choice.fallback, false);
    assert.equal(choice.tiles.length, 5);
  });

  it('picks Meet by DOM on a look-alike page (the demo page on 127.0.0.1)', () => {
    const doc = meetPage('http://127.0.0.1:8080/demo/');
    const choice = chooseAdapter(doc, { href: 'http://127.0.0.1:8080/demo/' });
    assert.equal(choice.adapter.name, 'meet');
    assert.equal(choice.tiles[2]!.isSelf, true);
  });

  it('picks generic for an unknown page without Meet-like tiles', () => {
    const doc = page('https://example.com/', '<video id="v"></video>');
    setRect(byId(doc, 'v'), 0, 0, 200, 200);
    const choice = chooseAdapter(doc, { href: 'https://example.com/' });
    assert.equal(choice.adapter.name, 'generic');
    assert.equal(choice.fallback, false);
    assert.equal(choice.tiles.length, 1);
  });

  it('falls back to generic when Meet selectors match nothing but videos exist', () => {
    const doc = page('https://meet.google.com/abc', '<div class="renamed-tile"><video id="v"></video></div>');
    setRect(byId(doc, 'v'), 0, 0, 640, 360);
    const choice = chooseAdapter(doc, { href: 'https://meet.google.com/abc' });
    assert.equal(choice.adapter.name, 'generic');
    assert.equal(choice.fallback, true);
    assert.equal(choice.tiles[0]!.video, byId(doc, 'v'));
  });

  it('stays with Meet (no fallback) when neither adapter finds a tile', () => {
    const doc = page('https://meet.google.com/landing', '<p>Join a meeting</p>');
    const choice = chooseAdapter(doc, { href: 'https://meet.google.com/landing' });
    assert.equal(choice.adapter.name, 'meet');
    assert.equal(choice.fallback, false);
    assert.deepEqual(choice.tiles, []);
  });
});

describe('Zoom adapter', () => {
  /** A video frame of class `cls` whose canvas has id `c-<tag>`, inside a `<video-player node-id>` when `node` is given. */
  const frameHtml = (cls: string, node: string | null, name: string, tag: string) =>
    `<div class="${cls}">${node ? `<video-player node-id="${node}"><canvas id="c-${tag}"></canvas></video-player>` : `<canvas id="c-${tag}"></canvas>`}<div class="video-avatar__avatar"><div class="video-avatar__avatar-footer"><span>${name}</span></div></div></div>`;

  function zoomPage(body: string): Document {
    const doc = page('https://app.zoom.us/wc/123/join', `<video-player-container>${body}</video-player-container><div class="sharee-container"><canvas id="share"></canvas></div>`);
    for (const c of doc.querySelectorAll('canvas')) setRect(c, 0, 0, 320, 180);
    return doc;
  }

  it('finds gallery frames with node-id ids, name-tag names and the "(Me)" self marker; never the share canvas', () => {
    const doc = zoomPage(
      frameHtml('gallery-video-container__video-frame', '100', 'Ada', 'ada') + frameHtml('gallery-video-container__video-frame', '200', 'Bo Chen (Me)', 'bo'),
    );
    const tiles = zoomAdapter.findTiles(doc);
    assert.deepEqual(tiles.map((t) => [t.id, t.name, t.isSelf]), [['zoom-100', 'Ada', false], ['zoom-200', 'Bo Chen', true]]);
    assert.equal(tiles[0]!.video.id, 'c-ada');
    assert.ok(!tiles.some((t) => t.video.id === 'share'));
  });

  it('reports a speaker shown twice (main frame and filmstrip copy without node-id) once, from the larger frame', () => {
    const doc = zoomPage(
      `<div class="speaker-bar-container__horizontal-view-wrap">${frameHtml('speaker-bar-container__video-frame', null, 'Ada', 'ada-copy')}${frameHtml('speaker-bar-container__video-frame', '200', 'Bo', 'bo')}</div>` +
        `<div class="speaker-active-container__wrap">${frameHtml('speaker-active-container__video-frame', '100', 'Ada', 'ada-main')}</div>`,
    );
    setRect(byId(doc, 'c-ada-main'), 0, 200, 900, 500);
    const tiles = zoomAdapter.findTiles(doc);
    assert.deepEqual(tiles.map((t) => t.id).sort(), ['zoom-100', 'zoom-200']);
    assert.equal(tiles.find((t) => t.id === 'zoom-100')!.video.id, 'c-ada-main');
  });

  it('matches *.zoom.us, and falls back to generic (with the share canvas skipped) when its frame classes are gone', () => {
    assert.equal(zoomAdapter.matchesUrl(new URL('https://us02web.zoom.us/wc/1')), true);
    assert.equal(zoomAdapter.matchesUrl(new URL('https://zoom.us.evil.example/')), false);
    const doc = zoomPage('<div class="tile-v2"><canvas id="a"></canvas></div><div class="tile-v2"><canvas id="b" style="transform: scaleX(-1)"></canvas></div>');
    const choice = chooseAdapter(doc, { href: 'https://app.zoom.us/wc/123/join' });
    assert.equal(choice.adapter.name, 'generic');
    assert.equal(choice.fallback, true);
    assert.equal(choice.site?.name, 'zoom');
    assert.deepEqual(choice.tiles.map((t) => [t.video.id, t.isSelf]), [['a', false], ['b', true]]);
  });
});

describe('Teams adapter', () => {
  const html = `<main data-tid="calling-stage">
    <div data-cid="calling-participant-stream" data-tid="video-tile" data-stream-type="Video" data-acc-element-id="8:orgid:1" aria-label="Ann Lee, Muted" id="t1">
      <div data-stream-type="Video"><video id="v1"></video></div>
      <div data-tid="participant-info-nametag"><span data-tid="participant-display-name">Ann Lee</span></div>
    </div>
    <div data-cid="calling-participant-stream" data-tid="video-tile" aria-label="Bo Chen, Video on" id="t2"><video id="v2" style="transform: scaleX(-1)"></video></div>
    <div data-cid="calling-participant-stream" data-tid="video-tile" data-stream-type="ScreenSharing" aria-label="Ann Lee is presenting"><video id="v3"></video></div>
  </main>`;

  it('finds tiles by data-cid / data-tid, names from display-name or aria-label, ids from data-acc-element-id, skips ScreenSharing', () => {
    const doc = page('https://teams.microsoft.com/v2/', html);
    const tiles = teamsAdapter.findTiles(doc);
    assert.deepEqual(tiles.map((t) => [t.name, t.isSelf, t.video.id]), [['Ann Lee', false, 'v1'], ['Bo Chen', true, 'v2']]);
    assert.equal(tiles[0]!.id, 'teams-8:orgid:1');
    assert.match(tiles[1]!.id, /^teams-tile-\d+$/);
  });

  it('keeps a tile id through a rename and picks Teams by DOM on a look-alike page', () => {
    const doc = page('http://127.0.0.1:9000/', html);
    const before = chooseAdapter(doc, { href: 'http://127.0.0.1:9000/' });
    assert.equal(before.adapter.name, 'teams');
    byId(doc, 't2').setAttribute('aria-label', 'Bo Chen-Ito, Video on');
    const after = teamsAdapter.findTiles(doc);
    assert.equal(after[1]!.name, 'Bo Chen-Ito');
    assert.equal(after[1]!.id, before.tiles[1]!.id);
  });
});

describe('Jitsi adapter', () => {
  const html = `<div id="largeVideoContainer" class="videocontainer"><video id="largeVideo"></video></div>
    <div id="remoteVideos">
      <span id="localVideoContainer" class="videocontainer"><span id="localVideoWrapper"><video id="lv" class="flipVideoX"></video></span><span class="displayname" id="localDisplayName">Me Myself</span></span>
      <span id="participant_abc123" class="videocontainer"><video id="rv1"></video><span class="displayname" id="participant_abc123_name">Ada</span></span>
      <span id="participant_abc123-v1" class="videocontainer"><video id="share"></video></span>
      <span id="participant_def456" class="videocontainer"><video id="rv2"></video></span>
    </div>`;

  it('finds the filmstrip thumbnails with endpoint ids, .displayname names and the local self view; skips the large video and the -v1 share', () => {
    const doc = page('https://jitsi.example.org/WeeklySync', html);
    const choice = chooseAdapter(doc, { href: 'https://jitsi.example.org/WeeklySync' });
    assert.equal(choice.adapter.name, 'jitsi');
    assert.deepEqual(
      choice.tiles.map((t) => [t.id, t.name, t.isSelf, t.video.id]),
      [['local', 'Me Myself', true, 'lv'], ['abc123', 'Ada', false, 'rv1'], ['def456', 'Participant 3', false, 'rv2']],
    );
    assert.equal(jitsiAdapter.matchesUrl(new URL('https://meet.jit.si/Room')), true);
  });
});

describe('generic adapter: canvases, self view, screen shares', () => {
  it('takes canvases of useful size, marks the mirrored one as self, skips screen shares and names from figcaptions', () => {
    const doc = page(
      'https://webinar.example/',
      `<figure><canvas id="c1"></canvas><figcaption>Ann Lee</figcaption></figure>
       <canvas id="c2" style="transform: scaleX(-1)"></canvas>
       <canvas id="tiny"></canvas>
       <section class="screen-share"><video id="s"></video></section>`,
    );
    for (const id of ['c1', 'c2', 's']) setRect(byId(doc, id), 0, 0, 320, 180);
    setRect(byId(doc, 'tiny'), 0, 0, 64, 64);
    const tiles = createGenericAdapter().findTiles(doc);
    assert.deepEqual(tiles.map((t) => [t.id, t.name, t.isSelf]), [['tile-1', 'Ann Lee', false], ['tile-2', 'Tile 2', true]]);
  });

  it('gives a rebuilt video showing the same URL its old id back', () => {
    const doc = page('https://webinar.example/', '<video id="a" src="https://cdn.example/a.webm"></video><video id="b" src="https://cdn.example/b.webm"></video>');
    setRect(byId(doc, 'a'), 0, 0, 320, 180);
    setRect(byId(doc, 'b'), 330, 0, 320, 180);
    const adapter = createGenericAdapter();
    assert.deepEqual(adapter.findTiles(doc).map((t) => t.id), ['tile-1', 'tile-2']);
    byId(doc, 'a').remove();
    const again = doc.createElement('video');
    again.setAttribute('src', 'https://cdn.example/a.webm');
    doc.body.append(again);
    setRect(again, 0, 200, 320, 180);
    assert.deepEqual(adapter.findTiles(doc).map((t) => t.id), ['tile-2', 'tile-1']);
  });
});

describe('active-speaker indicators', () => {
  it('Jitsi: the thumbnail with the active-speaker class speaks, the others do not', () => {
    const doc = page(
      'https://meet.jit.si/room',
      `<div id="remoteVideos"><span id="participant_a1" class="videocontainer active-speaker"><video></video><span class="displayname">Ann</span></span>
       <span id="participant_b2" class="videocontainer"><video></video><span class="displayname">Bob</span></span></div>`,
    );
    assert.deepEqual(
      jitsiAdapter.findTiles(doc).map((t) => [t.name, t.speaking]),
      [
        ['Ann', true],
        ['Bob', false],
      ],
    );
  });

  it("Teams: a tile with its voice-level outline rendered speaks; a hidden outline or none does not", () => {
    const doc = page(
      'https://teams.microsoft.com/',
      `<div data-cid="calling-participant-stream" data-acc-element-id="1"><video></video><span data-tid="display-name">Ann</span><div data-tid="voice-level-stream-outline"></div></div>
       <div data-cid="calling-participant-stream" data-acc-element-id="2"><video></video><span data-tid="display-name">Bob</span><div data-tid="voice-level-stream-outline" style="display:none"></div></div>
       <div data-cid="calling-participant-stream" data-acc-element-id="3"><video></video><span data-tid="display-name">Cy</span></div>`,
    );
    assert.deepEqual(
      teamsAdapter.findTiles(doc).map((t) => [t.name, t.speaking]),
      [
        ['Ann', true],
        ['Bob', false],
        ['Cy', false],
      ],
    );
  });

  it('Zoom: in speaker view the active frame speaks and the filmstrip does not; gallery view reads no indicator', () => {
    const speaker = page(
      'https://app.zoom.us/wc/1/start',
      `<div class="speaker-active-container__video-frame"><canvas></canvas><div class="video-avatar__avatar-footer">Ann</div></div>
       <div class="speaker-bar-container__video-frame"><canvas></canvas><div class="video-avatar__avatar-footer">Bob</div></div>`,
    );
    assert.deepEqual(
      zoomAdapter.findTiles(speaker).map((t) => [t.name, t.speaking]),
      [
        ['Ann', true],
        ['Bob', false],
      ],
    );
    const gallery = page('https://app.zoom.us/wc/1/start', `<div class="gallery-video-container__video-frame"><canvas></canvas><div class="video-avatar__avatar-footer">Ann</div></div>`);
    assert.equal(zoomAdapter.findTiles(gallery)[0]!.speaking, undefined);
  });

  it('Meet and generic pages read no indicator: speaking is left to the face', () => {
    const doc = page('https://meet.google.com/abc-defg-hij', FIXTURE);
    assert.ok(meetAdapter.findTiles(doc).every((t) => t.speaking === undefined));
  });
});
