/**
 * Proves the overlay layer draws one box per visible tile at the tile's rect with the
 * participant's dominant emotion, confidence and 7 probability bars ("no face" and
 * "analysing…" otherwise), removes boxes of departed tiles, never touches the page's own
 * elements, and that destroy() leaves nothing of CallMood in the document.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { Window } from 'happy-dom';
import { OVERLAY_ROOT_ID, createOverlayLayer } from '../../src/content/overlay.ts';
import { valenceArousal } from '../../src/shared/affect.ts';
import { EMOTIONS, toProbabilities } from '../../src/shared/emotions.ts';
import type { ParticipantLive, TileReport } from '../../src/shared/types.ts';

const windows: Window[] = [];
afterEach(async () => {
  await Promise.all(windows.splice(0).map((w) => w.happyDOM.close()));
});

const PAGE = '<div id="grid" class="grid"><div data-participant-id="p1"><video></video></div><div data-participant-id="p2"><video></video></div></div>';

function page(): Document {
  const win = new Window({ url: 'https://meet.google.com/abc-defg-hij', width: 1280, height: 800 });
  windows.push(win);
  win.document.body.innerHTML = PAGE;
  return win.document as unknown as Document;
}

function tile(id: string, x: number, y: number, visible = true): TileReport {
  return { id, name: id, rect: { x, y, width: 320, height: 180 }, visible, isSelf: false };
}

function participant(id: string, values: number[] | null, faceVisible = values !== null): ParticipantLive {
  const probabilities = values ? toProbabilities(values) : null;
  const dominant = probabilities ? EMOTIONS.reduce((a, b) => (probabilities[b] > probabilities[a] ? b : a)) : null;
  return {
    id,
    name: id,
    isSelf: false,
    analysed: true,
    faceVisible,
    probabilities,
    dominant,
    confidence: probabilities && dominant ? probabilities[dominant] : null,
    faceBox: null,
    frameTime: Date.now(),
    gap: faceVisible ? null : 'no-face',
    updateHz: 10,
    qualityLimit: null,
    valence: probabilities ? valenceArousal(probabilities).valence : null,
    arousal: probabilities ? valenceArousal(probabilities).arousal : null,
    attending: faceVisible,
    speaking: null,
    speakingSource: null,
    quality: faceVisible ? 0.9 : null,
    baseline: null,
  };
}

/** The overlay boxes by participant id, from inside the (open) shadow root. */
function boxes(doc: Document): Map<string, HTMLElement> {
  const root = doc.getElementById(OVERLAY_ROOT_ID);
  assert.ok(root?.shadowRoot, 'the overlay root with an open shadow root exists');
  const found = [...root.shadowRoot.querySelectorAll<HTMLElement>('[data-callmood-overlay]')];
  return new Map(found.map((b) => [b.getAttribute('data-callmood-overlay')!, b]));
}

const label = (box: HTMLElement) => box.querySelector('.panel > div')!.textContent;

// angry, disgust, fear, happy, sad, surprise, neutral
const HAPPY = [0.02, 0.01, 0.01, 0.82, 0.04, 0.04, 0.06];

describe('createOverlayLayer', () => {
  it('adds one fixed, click-through container on top of the page', () => {
    const doc = page();
    createOverlayLayer(doc);
    const root = doc.getElementById(OVERLAY_ROOT_ID)!;
    assert.equal(root.parentElement, doc.documentElement);
    assert.equal(root.style.getPropertyValue('position'), 'fixed');
    assert.equal(root.style.getPropertyValue('pointer-events'), 'none');
    assert.equal(root.style.getPropertyValue('z-index'), '2147483647');
    assert.equal(boxes(doc).size, 0);
  });

  it('draws a box per visible tile with emotion and confidence, "no face" or "analysing…"', () => {
    const doc = page();
    const layer = createOverlayLayer(doc);
    layer.update(
      [tile('p1', 10, 20), tile('p2', 340, 20), tile('p3', 670, 20), tile('hidden', 0, 0, false)],
      [participant('p1', HAPPY), participant('p2', null)],
    );
    const drawn = boxes(doc);
    assert.deepEqual([...drawn.keys()], ['p1', 'p2', 'p3']);
    assert.equal(label(drawn.get('p1')!), 'happy 82%');
    assert.equal(label(drawn.get('p2')!), 'no face');
    assert.equal(label(drawn.get('p3')!), 'analysing…');

    const p1 = drawn.get('p1')!;
    assert.equal(p1.style.transform, 'translate(10px, 20px)');
    assert.equal(p1.style.width, '320px');
    assert.equal(p1.style.height, '180px');
    const bars = [...p1.querySelectorAll<HTMLElement>('[data-emotion]')];
    assert.deepEqual(bars.map((b) => b.getAttribute('data-emotion')), [...EMOTIONS]);
    assert.deepEqual(bars.map((b) => b.style.width), ['2.0%', '1.0%', '1.0%', '82.0%', '4.0%', '4.0%', '6.0%']);
    assert.equal(drawn.get('p2')!.querySelector<HTMLElement>('.bars')!.hidden, true, 'no bars without a face');
  });

  it('follows tiles as they move, change state or leave', () => {
    const doc = page();
    const layer = createOverlayLayer(doc);
    layer.update([tile('p1', 10, 20), tile('p2', 340, 20)], [participant('p1', HAPPY)]);
    const p1 = boxes(doc).get('p1')!;
    const sad = [0.05, 0.0, 0.05, 0.1, 0.7, 0.0, 0.1];
    layer.update([tile('p1', 50, 60)], [participant('p1', sad)]);
    const drawn = boxes(doc);
    assert.deepEqual([...drawn.keys()], ['p1']);
    assert.equal(drawn.get('p1'), p1, 'the box is reused, not rebuilt');
    assert.equal(p1.style.transform, 'translate(50px, 60px)');
    assert.equal(label(p1), 'sad 70%');
    layer.update([tile('p1', 50, 60)], [participant('p1', null, false)]);
    assert.equal(label(p1), 'no face');
  });

  it('draws "can\'t tell" with why for a face too poor to read, and marks a speaking tile', () => {
    const doc = page();
    const layer = createOverlayLayer(doc);
    const turned: ParticipantLive = { ...participant('p1', null, true), gap: 'low-quality', qualityLimit: 'pose', faceBox: { x: 1, y: 1, width: 40, height: 40 } };
    const talking: ParticipantLive = { ...participant('p2', HAPPY), speaking: true, speakingSource: 'site' };
    layer.update([tile('p1', 10, 20), tile('p2', 340, 20)], [turned, talking]);
    const drawn = boxes(doc);
    assert.equal(label(drawn.get('p1')!), "can't tell: turned away");
    assert.equal(drawn.get('p1')!.getAttribute('data-uncertain'), 'true');
    assert.equal(drawn.get('p1')!.querySelector<HTMLElement>('.bars')!.hidden, true, 'no bars, no emotion');
    assert.equal(drawn.get('p1')!.hasAttribute('data-speaking'), false);
    assert.equal(label(drawn.get('p2')!), 'happy 82%');
    assert.equal(drawn.get('p2')!.getAttribute('data-speaking'), 'true');
    assert.equal(drawn.get('p2')!.getAttribute('data-speaking-source'), 'site');
    assert.equal(drawn.get('p2')!.hasAttribute('data-uncertain'), false);

    layer.update([tile('p1', 10, 20), tile('p2', 340, 20)], [{ ...turned, qualityLimit: null }, { ...talking, speaking: false }]);
    assert.equal(label(drawn.get('p1')!), "can't tell");
    assert.equal(drawn.get('p2')!.hasAttribute('data-speaking'), false, 'the mark goes when they stop');
    assert.equal(drawn.get('p2')!.hasAttribute('data-speaking-source'), false);
    layer.update([tile('p1', 10, 20)], [participant('p1', HAPPY)]);
    assert.equal(drawn.get('p1')!.hasAttribute('data-uncertain'), false);
  });

  it('never modifies the page, and destroy() leaves nothing of CallMood behind', () => {
    const doc = page();
    const before = doc.documentElement.outerHTML;
    const layer = createOverlayLayer(doc);
    layer.update([tile('p1', 10, 20), tile('p2', 340, 20)], [participant('p1', HAPPY), participant('p2', null)]);
    assert.equal(doc.body.innerHTML, PAGE, 'page elements untouched');
    assert.match(doc.documentElement.outerHTML, /callmood/);
    layer.destroy();
    assert.equal(doc.documentElement.outerHTML, before);
    assert.doesNotMatch(doc.documentElement.outerHTML, /callmood/i);
    assert.equal(doc.querySelector('[id^="callmood"], [data-callmood-overlay]'), null);
    layer.update([tile('p1', 10, 20)], [participant('p1', HAPPY)]);
    assert.equal(doc.getElementById(OVERLAY_ROOT_ID), null, 'update after destroy adds nothing');
    layer.destroy(); // idempotent
  });
});
