/**
 * Proves the report's HTML export is self-contained and says what the report says: no script,
 * a Content-Security-Policy that forbids every request but inline data: images, names escaped
 * (a name holding markup stays text), one figure per chart image given, the summary's exact
 * shares on the cells, "no face seen" for a participant without a face, and the notices.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Window } from 'happy-dom';
import { buildMeetingReport } from '../../src/shared/report-model.ts';
import { buildReportHtml, escapeHtml, type ChartImage } from '../../src/report/html-export.ts';
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
  { schemaVersion: 2, meetingId: 'm1', participantId: 'a', name: 'a', second: s, probabilities: P, dominant: 'happy', faceSeconds: 1, samples: 3, gap: null },
  { schemaVersion: 2, meetingId: 'm1', participantId: 'b', name: 'b', second: s, probabilities: null, dominant: null, faceSeconds: 0, samples: 3, gap: 'black' },
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
  assert.equal(doc.querySelectorAll('figure[data-chart]').length, 2);
  const text = doc.body.textContent;
  assert.match(text, /1 corrupt record was skipped/);
  assert.match(text, /still being analysed: shown up to 0:30/);
  assert.match(text, /Ben \(you\)/);
  assert.match(text, /video black 0:30/);
});

test('escapeHtml escapes the five characters', () => {
  assert.equal(escapeHtml(`<a href="x" title='y'>&</a>`), '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
});
