/**
 * Proves the report's HTML export is self-contained and says what the report says: no script,
 * a Content-Security-Policy that forbids every request but inline data: images, names escaped
 * (a name holding markup stays text), one figure per chart image given, the summary's exact
 * shares on the cells, "no face seen" for a participant without a face, and the notices; the
 * signals table and the talk-time and reactions table carry the summary's exact numbers in
 * `data-value` (none where unknown), and a meeting without speaking known says so instead.
 */
import { test } from 'node:test';
import { makeSecondRecord } from '../../src/shared/timeline-records.ts';
import assert from 'node:assert/strict';
import { Window } from 'happy-dom';
import { buildMeetingReport } from '../../src/shared/report-model.ts';
import { buildReportHtml, escapeHtml, valenceChartKey, type ChartImage } from '../../src/report/html-export.ts';
import { EMOTIONS, type Probabilities } from '../../src/shared/emotions.ts';
import type { MeetingRecord, SecondRecord } from '../../src/shared/timeline-records.ts';

const P: Probabilities = { angry: 0.05, disgust: 0.05, fear: 0.05, happy: 0.6, sad: 0.05, surprise: 0.1, neutral: 0.1 };
const meeting: MeetingRecord = {
  schemaVersion: 1,
  id: 'm1',
  site: 'meet.google.com',
  adapter: 'meet',
  startedAt: Date.UTC(2026, 0, 5, 10),
  endedAt: null,
  participants: [
    { id: 'a', name: '<img src=https://evil.example/x onerror=alert(1)>', isSelf: false },
    { id: 'b', name: 'Ben', isSelf: true },
  ],
};
const seconds: SecondRecord[] = Array.from({ length: 30 }, (_, s): SecondRecord[] => [
  makeSecondRecord({ meetingId: 'm1', participantId: 'a', name: 'a', second: s, probabilities: P, dominant: 'happy', faceSeconds: 1, samples: 3, gap: null }),
  makeSecondRecord({ meetingId: 'm1', participantId: 'b', name: 'b', second: s, probabilities: null, dominant: null, faceSeconds: 0, samples: 3, gap: 'black' }),
]).flat();
const image: ChartImage = { dataUrl: 'data:image/png;base64,iVBORw0KGgo=', width: 600, height: 160 };

function parse(html: string) {
  const window = new Window();
  window.document.write(html);
  return window.document;
}

test('the export has no script, forbids every request by CSP, and escapes names', () => {
  const report = buildMeetingReport(meeting, seconds, 1);
  const html = buildReportHtml(report, new Map([['a', image], ['', image]]), Date.UTC(2026, 0, 5, 11));
  const doc = parse(html);
  assert.equal(doc.querySelectorAll('script').length, 0);
  assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">/);
  assert.equal(doc.querySelectorAll('img').length, 2, 'only the two chart images: the name is text');
  assert.ok(!html.includes('<img src=https://evil'), 'markup in a name is escaped');
  assert.ok(doc.body.textContent.includes('<img src=https://evil.example/x onerror=alert(1)>'));
  for (const img of doc.querySelectorAll('img')) assert.ok(img.getAttribute('src')!.startsWith('data:image/png;base64,'));
});

test('the export carries the summary\'s numbers, "no face seen" and the notices', () => {
  const report = buildMeetingReport(meeting, seconds, 1);
  const doc = parse(buildReportHtml(report, new Map([['a', image], ['', image]]), 0));
  const cells = [...doc.querySelectorAll('section[data-participant-id="a"] td[data-emotion]')];
  assert.deepEqual(
    Object.fromEntries(cells.map((td) => [td.getAttribute('data-emotion'), Number(td.getAttribute('data-value'))])),
    report.summary.participants[0]!.dominantShare,
  );
  assert.equal(cells.length, EMOTIONS.length);
  assert.ok(doc.querySelector('section[data-participant-id="b"] [data-no-face]'), 'Ben has no face: said, not charted');
  assert.equal(doc.querySelectorAll('figure[data-chart]').length, 2, 'no valence image given: said, not drawn');
  const text = doc.body.textContent;
  assert.match(text, /1 corrupt record was skipped/);
  assert.match(text, /still being analysed: shown up to 0:30/);
  assert.match(text, /Ben \(you\)/);
  assert.match(text, /video black 0:30/);
});

test('the export carries the signals and the talk table with the summary\'s exact numbers, and still no script', () => {
  const talking = seconds.map((r) =>
    r.participantId === 'a' ? { ...r, speaking: r.second >= 5 && r.second < 15, speakingSource: 'site' as const, attending: 0.75, quality: 0.8 } : { ...r, speaking: false, speakingSource: 'face' as const },
  );
  const report = buildMeetingReport(meeting, talking, 0);
  const html = buildReportHtml(report, new Map([['a', image], [valenceChartKey('a'), image], ['', image]]), 0);
  const doc = parse(html);
  assert.equal(doc.querySelectorAll('script').length, 0);
  const ana = report.summary.participants[0]!;
  const signal = (id: string, field: string) => doc.querySelector(`section[data-participant-id="${id}"] table[data-signals] td[data-field="${field}"]`);
  assert.equal(Number(signal('a', 'talkSeconds')!.getAttribute('data-value')), ana.talkSeconds);
  assert.equal(Number(signal('a', 'attendingShare')!.getAttribute('data-value')), ana.attendingShare);
  assert.equal(Number(signal('a', 'meanValence')!.getAttribute('data-value')), ana.meanValence);
  assert.equal(Number(signal('a', 'meanArousal')!.getAttribute('data-value')), ana.meanArousal);
  assert.equal(Number(signal('a', 'meanQuality')!.getAttribute('data-value')), ana.meanQuality);
  assert.equal(signal('a', 'cantTellSeconds')!.getAttribute('data-value'), '0');
  assert.equal(signal('b', 'meanValence')!.hasAttribute('data-value'), false, 'unknown: no number');
  assert.equal(signal('b', 'meanValence')!.textContent, '—');

  const row = (id: string) => doc.querySelector(`table[data-talk] tr[data-participant-id="${id}"]`)!;
  const cell = (id: string, field: string) => row(id).querySelector(`td[data-field="${field}"]`)!;
  const talk = report.summary.talkTime;
  assert.equal(Number(cell('a', 'seconds').getAttribute('data-value')), talk[0]!.seconds);
  assert.equal(Number(cell('a', 'share').getAttribute('data-value')), talk[0]!.share);
  assert.equal(cell('a', 'share').textContent, '100.0 %');
  const reaction = report.summary.reactions.find((r) => r.speakerId === 'a')!;
  assert.equal(Number(cell('a', 'turns').getAttribute('data-value')), reaction.turns);
  const mean = cell('a', 'listenerValenceMean');
  assert.equal(mean.getAttribute('data-value'), reaction.listenerValenceMean === null ? null : String(reaction.listenerValenceMean));
  assert.equal(mean.textContent, '—', 'Ben has no face, so no listener valence');
  assert.equal(cell('b', 'turns').textContent, '0');
  assert.match(doc.body.textContent, /A turn is a run of speaking seconds/);
  assert.equal(doc.querySelectorAll('figure[data-chart]').length, 3, 'mood, arc and valence line of Ana');
});

test('without any speaking known the export says so instead of a talk table', () => {
  const doc = parse(buildReportHtml(buildMeetingReport(meeting, seconds, 0), new Map(), 0));
  assert.equal(doc.querySelector('table[data-talk]'), null);
  assert.ok(doc.querySelector('[data-talk-unknown]'));
});

test('escapeHtml escapes the five characters', () => {
  assert.equal(escapeHtml(`<a href="x" title='y'>&</a>`), '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
});
