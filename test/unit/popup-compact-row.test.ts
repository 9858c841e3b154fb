/**
 * Proves the popup's compact view: one line per person with the dominant emotion, a stacked
 * bar whose 7 segments are as wide as the probabilities (empty when there is nothing to show),
 * and the sparkline's data handed on as it is (nulls, the gaps, included); the list is compact
 * from COMPACT_FROM participants on, a switch chooses for all and a row's toggle flips one
 * person; "Exclude" asks inline, sends the participant and whether to delete their records,
 * and the row goes only when the background agrees.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { Window } from 'happy-dom';
import { h, render, type VNode } from 'preact';
import { act } from 'preact/test-utils';
import { SPARK_X, SparkHistory, type SparkData } from '../../src/popup/history.ts';
import type { SparklineProps } from '../../src/popup/sparkline.tsx';
import type { Outcome } from '../../src/shared/messages.ts';
import { valenceArousal } from '../../src/shared/affect.ts';
import { toProbabilities } from '../../src/shared/emotions.ts';
import type { ParticipantLive } from '../../src/shared/types.ts';

// webextension-polyfill (through the message contract) loads only where an extension runtime exists.
(globalThis as { chrome?: unknown }).chrome = { runtime: { id: 'unit-test' } };
const { CompactRow } = await import('../../src/popup/compact-row.tsx');
const { COMPACT_FROM, isCompact, ParticipantList } = await import('../../src/popup/participant-list.tsx');

const HAPPY = toProbabilities([0.02, 0.01, 0.01, 0.72, 0.04, 0.04, 0.16]);
const NOW = 1_700_000_000_000;

function participant(patch: Partial<ParticipantLive> = {}): ParticipantLive {
  return {
    id: 'p1',
    name: 'Ada',
    isSelf: false,
    analysed: true,
    faceVisible: true,
    probabilities: HAPPY,
    dominant: 'happy',
    confidence: HAPPY.happy,
    faceBox: null,
    frameTime: NOW,
    gap: null,
    updateHz: 5,
    qualityLimit: null,
    ...valenceArousal(HAPPY),
    attending: true,
    speaking: false,
    speakingSource: 'site',
    quality: 0.9,
    baseline: null,
    ...patch,
  };
}

const faceless = (patch: Partial<ParticipantLive>) => participant({ faceVisible: false, probabilities: null, dominant: null, confidence: null, valence: null, arousal: null, quality: null, ...patch });

/** A stand-in for the uPlot sparkline (uPlot needs a canvas): keeps what it is given. */
const charted: SparklineProps[] = [];
function FakeChart(props: SparklineProps) {
  charted.push(props);
  return h('span', { 'data-testid': 'sparkline', 'data-points': props.data[1].filter((v) => v !== null).length });
}

const windows: Window[] = [];
afterEach(async () => {
  charted.length = 0;
  await Promise.all(windows.splice(0).map((w) => w.happyDOM.close()));
});

function mount(vnode: VNode<any>): Element {
  const win = new Window();
  windows.push(win);
  const root = win.document.createElement('div') as unknown as Element;
  win.document.body.append(root as never);
  void act(() => render(vnode, root));
  return root;
}

const SPARK: SparkData = [SPARK_X as number[], SPARK_X.map((x) => (x > -3 ? 0.5 : x === -3 ? null : -0.25))];
const segments = (el: Element) => [...el.querySelectorAll<HTMLElement>('[data-testid="bar"]')];

test('a compact row: name, dominant emotion with confidence, 7 segments as wide as the probabilities, the sparkline data as given', () => {
  const root = mount(h('ul', null, h(CompactRow, { participant: participant({ isSelf: true }), stale: false, spark: SPARK, Chart: FakeChart })));
  const row = root.querySelector('[data-testid="participant-row"]')!;
  assert.equal(row.getAttribute('data-view'), 'compact');
  assert.equal(row.getAttribute('data-participant-id'), 'p1');
  assert.match(row.querySelector('.crow__name')?.textContent ?? '', /^Ada \(you\)$/);
  assert.equal(row.querySelector('[data-testid="dominant"]')?.textContent, 'happy 72%');
  const parts = segments(row);
  assert.deepEqual(parts.map((p) => p.dataset.emotion), ['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise', 'neutral']);
  assert.deepEqual(parts.map((p) => p.style.width), ['2.0%', '1.0%', '1.0%', '72.0%', '4.0%', '4.0%', '16.0%']);
  assert.ok(parts.every((p) => !p.hasAttribute('data-empty')));
  assert.equal(charted.at(-1)?.data, SPARK, 'the chart gets the history\'s series itself');
  assert.equal(row.querySelector('[data-testid="sparkline"]')?.getAttribute('data-points'), String(SPARK_X.length - 1), 'the null second stays a gap');
  assert.match(charted.at(-1)!.label, /^Ada: valence/);
});

test('a compact row without a face or with a stale view: the reason, and an empty stacked bar', () => {
  for (const [p, stale, text] of [
    [faceless({ gap: 'frozen' }), false, 'frozen video'],
    [faceless({ gap: null, analysed: false }), false, 'not analysed'],
    [participant(), true, 'not updating'],
    [participant({ gap: 'low-quality', qualityLimit: 'pose', probabilities: null, dominant: null, confidence: null, valence: null, arousal: null }), false, "Can't tell — turned away"],
  ] as const) {
    const root = mount(h('ul', null, h(CompactRow, { participant: p, stale, spark: SPARK, Chart: FakeChart })));
    const row = root.querySelector('[data-testid="participant-row"]')!;
    assert.equal(row.querySelector('[data-testid="dominant"]')?.textContent, text);
    assert.ok(row.classList.contains('participant--idle'));
    assert.ok(segments(row).every((s) => s.dataset.empty === 'true' && s.dataset.value === '0.000' && s.style.width === '0.0%'), text);
  }
});

test('a compact row marks who speaks, who does not attend, and a face too poor to read', () => {
  const root = mount(h('ul', null, h(CompactRow, { participant: participant({ speaking: true, speakingSource: 'site', attending: false }), stale: false, spark: SPARK, Chart: FakeChart })));
  const row = root.querySelector('[data-testid="participant-row"]')!;
  assert.equal(row.getAttribute('data-speaking'), 'true');
  assert.equal(row.querySelector('[data-testid="speaking"]')?.getAttribute('title'), 'speaking (site)');
  assert.equal(row.querySelector('[data-testid="attention"]')?.getAttribute('aria-label'), 'not attending');
  assert.equal(row.getAttribute('data-attending'), 'false');
  const blurred = mount(h('ul', null, h(CompactRow, { participant: participant({ gap: 'low-quality', qualityLimit: 'blur', probabilities: null, dominant: null, confidence: null, valence: null, arousal: null }), stale: false, spark: SPARK, Chart: FakeChart })));
  const r2 = blurred.querySelector('[data-testid="participant-row"]')!;
  assert.equal(r2.getAttribute('data-uncertain'), 'true');
  assert.equal(r2.querySelector('[data-testid="dominant"]')?.textContent, "Can't tell — blurred");
  assert.equal(r2.querySelector('[data-testid="speaking"]'), null);
});

/** The list of `n` participants p0…p(n-1), with a fake exclusion sender answering `answer`. */
function list(n: number, answer: Outcome = { ok: true }) {
  const sent: [string, boolean][] = [];
  const renamed: [string, string][] = [];
  const history = new SparkHistory();
  const people = Array.from({ length: n }, (_, i) => participant({ id: `p${i}`, name: `P${i}` }));
  history.append(people, NOW);
  const root = mount(
    h(ParticipantList, {
      participants: people,
      stale: false,
      spark: { history, now: NOW },
      Chart: FakeChart,
      sender: async (id, del) => {
        sent.push([id, del]);
        return answer;
      },
      renameSender: async (id, name) => {
        renamed.push([id, name]);
        return answer;
      },
    }),
  );
  const rows = () => [...root.querySelectorAll<HTMLElement>('[data-testid="participant-row"]')];
  const click = async (el: Element | null | undefined) => {
    assert.ok(el, 'the element is there');
    await act(async () => (el as HTMLElement).click());
  };
  return { root, rows, sent, renamed, history, click };
}

test(`the list is detailed up to ${COMPACT_FROM - 1} participants and compact from ${COMPACT_FROM}; a row's toggle flips one person; the switch sets all`, async () => {
  assert.equal(isCompact('auto', COMPACT_FROM - 1), false);
  assert.equal(isCompact('auto', COMPACT_FROM), true);
  assert.equal(isCompact('detailed', 49), false);
  assert.equal(isCompact('compact', 1), true);
  const few = list(COMPACT_FROM - 1);
  assert.deepEqual(few.rows().map((r) => r.dataset.view), Array(COMPACT_FROM - 1).fill('detailed'));

  const many = list(49);
  assert.equal(many.rows().length, 49);
  assert.ok(many.rows().every((r) => r.dataset.view === 'compact' && segments(r).length === 7));
  await many.click(many.rows()[5]!.querySelector('[data-testid="row-toggle"]'));
  assert.deepEqual(many.rows().flatMap((r, i) => (r.dataset.view === 'detailed' ? [i] : [])), [5]);
  assert.equal(many.rows()[5]!.querySelector('[data-testid="row-toggle"]')?.getAttribute('aria-expanded'), 'true');

  const select = many.root.querySelector<HTMLSelectElement>('[data-testid="row-view"]')!;
  await act(async () => {
    select.value = 'detailed';
    select.dispatchEvent(new (select.ownerDocument.defaultView as unknown as typeof globalThis).Event('change', { bubbles: true }));
  });
  assert.ok(many.rows().every((r) => r.dataset.view === 'detailed'), 'detailed for all, the single flip forgotten');
});

test('Exclude asks inline; confirming sends the id and the delete choice, and the row goes', async () => {
  const l = list(5);
  const target = () => l.rows().find((r) => r.dataset.participantId === 'p2');
  await l.click(target()!.querySelector('[data-testid="exclude"]'));
  const confirm = target()!.querySelector('[data-testid="exclude-confirm"]');
  assert.match(confirm?.textContent ?? '', /Stop analysing P2 for the rest of this meeting/);
  const box = confirm!.querySelector<HTMLInputElement>('[data-testid="exclude-delete"]')!;
  assert.equal(box.checked, false, 'deleting is not the default');
  await l.click(box);
  assert.equal(l.history.size('p2'), 1);
  await l.click(confirm!.querySelector('[data-testid="exclude-yes"]'));
  assert.deepEqual(l.sent, [['p2', true]]);
  assert.equal(target(), undefined, 'the row is gone');
  assert.equal(l.rows().length, 4);
  assert.equal(l.history.size('p2'), 0, 'their sparkline history is forgotten');
});

test('Cancel sends nothing; a refused exclusion keeps the row and shows why', async () => {
  const l = list(5, { ok: false, error: 'nothing is being analysed' });
  const target = () => l.rows().find((r) => r.dataset.participantId === 'p1')!;
  await l.click(target().querySelector('[data-testid="exclude"]'));
  await l.click(target().querySelector('[data-testid="exclude-cancel"]'));
  assert.equal(target().querySelector('[data-testid="exclude-confirm"]'), null);
  assert.deepEqual(l.sent, []);
  await l.click(target().querySelector('[data-testid="exclude"]'));
  await l.click(target().querySelector('[data-testid="exclude-yes"]'));
  assert.deepEqual(l.sent, [['p1', false]]);
  assert.equal(target().querySelector('[data-testid="exclude-error"]')?.textContent, 'nothing is being analysed');
  assert.equal(l.rows().length, 5);
});

test('sameInRow: a new view that changes nothing shown lets a row skip rendering; any shown change does not', async () => {
  const { sameInRow } = await import('../../src/popup/compact-row.tsx');
  const a = participant();
  assert.equal(sameInRow(a, { ...a, frameTime: NOW + 100, faceBox: { x: 1, y: 1, width: 2, height: 2 }, probabilities: { ...HAPPY, happy: HAPPY.happy + 1e-5 } }), true);
  assert.equal(sameInRow(a, { ...a, probabilities: { ...HAPPY, sad: HAPPY.sad + 0.002 } }), false);
  assert.equal(sameInRow(a, { ...a, gap: 'frozen' }), false);
  assert.equal(sameInRow(a, { ...a, updateHz: 4.99 }), false);
  assert.equal(sameInRow(a, { ...a, name: 'Ada L.' }), false);
  assert.equal(sameInRow(a, faceless({})), false);
  assert.equal(sameInRow(faceless({}), faceless({ frameTime: NOW + 1 })), true);
  assert.equal(sameInRow(a, { ...a, quality: 0.5 }), true, 'quality is not shown');
  assert.equal(sameInRow(a, { ...a, speaking: true }), false);
  assert.equal(sameInRow(a, { ...a, speakingSource: 'face' }), false);
  assert.equal(sameInRow(a, { ...a, attending: false }), false);
  assert.equal(sameInRow(a, { ...a, valence: a.valence! + 0.01 }), false);
  assert.equal(sameInRow(a, { ...a, arousal: a.arousal! - 0.01 }), false);
  assert.equal(sameInRow(faceless({ gap: 'low-quality', qualityLimit: 'pose' }), faceless({ gap: 'low-quality', qualityLimit: 'blur' })), false);
});

test('Rename opens a form with the name as shown; Save sends the typed name and closes it; a refusal keeps it open and says why', async () => {
  const l = list(5);
  const target = () => l.rows().find((r) => r.dataset.participantId === 'p3')!;
  await l.click(target().querySelector('[data-testid="rename"]'));
  const input = target().querySelector<HTMLInputElement>('[data-testid="rename-input"]')!;
  assert.equal(input.value, 'P3');
  await act(async () => {
    input.value = 'Ada Lovelace';
    input.dispatchEvent(new (input.ownerDocument.defaultView as unknown as typeof globalThis).Event('input', { bubbles: true }));
  });
  await l.click(target().querySelector('[data-testid="rename-save"]'));
  assert.deepEqual(l.renamed, [['p3', 'Ada Lovelace']]);
  assert.equal(target().querySelector('[data-testid="rename-form"]'), null, 'closed once saved');

  const refused = list(2, { ok: false, error: 'nothing is being analysed' });
  const row = () => refused.rows()[0]!;
  await refused.click(row().querySelector('[data-testid="rename"]'));
  await refused.click(row().querySelector('[data-testid="rename-save"]'));
  assert.equal(row().querySelector('[data-testid="rename-error"]')?.textContent, 'nothing is being analysed');
  await refused.click(row().querySelector('[data-testid="rename-cancel"]'));
  assert.equal(row().querySelector('[data-testid="rename-form"]'), null);
});

test('a person of a shared video has no Rename: they are named after the video', () => {
  const root = mount(h(ParticipantList, { participants: [participant({ id: 'tile-1#1', name: 'Room · person 1' })], stale: false, spark: { history: new SparkHistory(), now: NOW }, Chart: FakeChart }));
  assert.equal(root.querySelector('[data-testid="rename"]'), null);
  assert.ok(root.querySelector('[data-testid="exclude"]'));
});
