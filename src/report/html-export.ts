/**
 * The report as one self-contained HTML file: the charts as PNG images inline (data: URLs
 * taken from the report page's own canvases), the legend, key moments, the talk time and
 * reactions table and per-participant tables as HTML, styles inline. No script at all, and a Content-Security-Policy of
 * `default-src 'none'` (images only from data: URLs, inline styles), so the file opens offline
 * from disk and can make no request even if a name held markup: names are escaped too.
 */
import { EMOTION_COLORS } from '../shared/emotion-colors.ts';
import { EMOTIONS } from '../shared/emotions.ts';
import type { MeetingReport } from '../shared/report-model.ts';
import { VALENCE_RANGE } from '../popup/history.ts';
import { momentText, momentTime } from './key-moments.tsx';
import { factsText, gapText, meetingLine, noticeTexts, percent, resolutionText, signalCells, signedText, TALK_EXPLANATION, TALK_NAME_LABEL, TALK_UNKNOWN, talkCells, type FigureCell } from './report-text.ts';

/** Key of a participant's valence chart among the chart images (the arc's key is the participant id itself). */
export function valenceChartKey(participantId: string): string {
  return `valence\u0000${participantId}`;
}

/** A chart image: the PNG data URL of a chart's canvas. */
export interface ChartImage {
  /** `data:image/png;base64,…`. */
  dataUrl: string;
  /** Width and height in CSS px. */
  width: number;
  height: number;
}

/** Escapes `& < > " '` for HTML text and attribute values. Pure. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const STYLE = `
body{font:14px/1.45 system-ui,sans-serif;color:#1d1d1f;background:#fff;margin:24px auto;max-width:1000px;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:24px 0 8px}h3{font-size:15px;margin:0}
.meta,.note,figcaption{color:#6b6b73}.notice{background:#fff4d6;padding:6px 10px;border-radius:6px}
.legend{display:flex;flex-wrap:wrap;gap:12px;padding:0;list-style:none}.swatch{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:4px}
figure{margin:8px 0 16px}img{max-width:100%;height:auto;border:1px solid #dcdce2;border-radius:4px}
table{border-collapse:collapse;margin:6px 0}th,td{padding:2px 8px;text-align:right;border-bottom:1px solid #eee}th{font-weight:600}th.name{text-align:left}caption{text-align:left;color:#6b6b73}
section.participant{border-top:1px solid #dcdce2;padding-top:12px;margin-top:12px}
`;

/** A figure cell as HTML: `data-field`, and `data-value` with the exact summary number (absent when unknown). */
function figureTd(c: FigureCell): string {
  return `<td data-field="${c.key}"${c.value === null ? '' : ` data-value="${c.value}"`}>${escapeHtml(c.text)}</td>`;
}

/** A one-row table of figure cells with a caption, as HTML. */
function figureTable(cells: FigureCell[], caption: string, attribute: string): string {
  return `<table ${attribute}><caption>${escapeHtml(caption)}</caption><tr>${cells.map((c) => `<th>${escapeHtml(c.label)}</th>`).join('')}</tr><tr>${cells.map(figureTd).join('')}</tr></table>`;
}

/** The talk time and reactions table (`table[data-talk]`, a `tr[data-participant-id]` per participant) and its explanation, as HTML. */
function talkHtml(report: MeetingReport): string {
  if (!report.speakingKnown) return `<p class="note" data-talk-unknown>${escapeHtml(TALK_UNKNOWN)}</p>`;
  const header = report.talk.length ? talkCells(report.talk[0]!) : [];
  const rows = report.talk
    .map((row) => `<tr data-participant-id="${escapeHtml(row.participantId)}"><th class="name">${escapeHtml(row.name || row.participantId)}</th>${talkCells(row).map(figureTd).join('')}</tr>`)
    .join('');
  return `<table data-talk><tr><th class="name">${TALK_NAME_LABEL}</th>${header.map((c) => `<th>${escapeHtml(c.label)}</th>`).join('')}</tr>${rows}</table><p class="note">${escapeHtml(TALK_EXPLANATION)}</p>`;
}

function chartFigure(image: ChartImage | undefined, caption: string): string {
  if (!image) return `<p class="note">${escapeHtml(caption)}: chart not available.</p>`;
  return `<figure data-chart><img src="${image.dataUrl}" width="${image.width}" height="${image.height}" alt="${escapeHtml(caption)}"><figcaption>${escapeHtml(caption)}</figcaption></figure>`;
}

/**
 * The HTML document of `report`.
 * @param charts chart images keyed by participant id (the emotional arc), `valenceChartKey(id)`
 *   (the valence line), and `''` for the whole meeting's mood.
 * @param generatedAt when the file is written, ms since the epoch (shown in its footer).
 */
export function buildReportHtml(report: MeetingReport, charts: ReadonlyMap<string, ChartImage>, generatedAt: number): string {
  const axis = `time axis: clock time; probability axis: 0–100 %; ${resolutionText(report.binSeconds)}`;
  const valenceAxis = `time axis: clock time; valence axis: ${signedText(VALENCE_RANGE[0])} … ${signedText(VALENCE_RANGE[1])}, dashed line at 0`;
  const legend = EMOTIONS.map((e) => `<li><span class="swatch" style="background:${EMOTION_COLORS[e]}"></span>${e}</li>`).join('');
  const notices = noticeTexts(report)
    .map((n) => `<p class="notice">${escapeHtml(n)}</p>`)
    .join('');
  const moments = report.keyMoments.length
    ? `<ol>${report.keyMoments.map((m) => `<li data-kind="${m.kind}" data-second="${m.second}"><strong>${escapeHtml(momentTime(m))}</strong> ${escapeHtml(momentText(m))}</li>`).join('')}</ol>`
    : '<p class="note">No moment stands out: nobody was happy or surprised, and negative emotions never reached 30 %.</p>';
  const people = report.participants
    .map((p) => {
      const name = p.summary.name || p.summary.id;
      const gaps = gapText(p.summary.gaps);
      const signals = figureTable(signalCells(p.summary), 'Talk, attention, valence and arousal (derived from the probabilities), face quality', 'data-signals');
      const table = p.noFaceSeen
        ? `<p class="note" data-no-face>No face seen: there is no emotion to chart for ${escapeHtml(name)}.</p>`
        : `<table><caption>Share of the time with a face, by dominant emotion</caption><tr>${EMOTIONS.map((e) => `<th>${e}</th>`).join('')}</tr><tr>${EMOTIONS.map((e) => `<td data-emotion="${e}" data-value="${p.summary.dominantShare[e]}">${percent(p.summary.dominantShare[e])}</td>`).join('')}</tr></table>` +
          chartFigure(charts.get(p.summary.id), `Emotional arc of ${name} (${axis})`) +
          chartFigure(charts.get(valenceChartKey(p.summary.id)), `Valence of ${name} over time (${valenceAxis}; ${resolutionText(report.binSeconds)})`);
      return `<section class="participant" data-participant-id="${escapeHtml(p.summary.id)}"><h3>${escapeHtml(name)}${p.isSelf ? ' (you)' : ''}</h3><p class="meta">${escapeHtml(factsText(p))}${gaps ? ` · without emotion: ${escapeHtml(gaps)}` : ''}</p>${signals}${table}</section>`;
    })
    .join('');
  const title = `CallMood report: ${meetingLine(report)}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body data-meeting-id="${escapeHtml(report.meeting.id)}">
<h1>Meeting report</h1><p class="meta">${escapeHtml(meetingLine(report))}</p>${notices}
<ul class="legend">${legend}</ul>
<h2>Key moments</h2>${moments}
<h2>The whole meeting</h2>${chartFigure(charts.get(''), `Mood of the whole meeting: mean over the participants with a face (${axis})`)}
<h2>Talk time and reactions</h2>${talkHtml(report)}
<h2>Participants</h2>${people}
<p class="note">Made by CallMood on this computer on ${escapeHtml(new Date(generatedAt).toLocaleString())}. Emotions are what a facial-expression model read from the video, not what people felt.</p>
</body></html>
`;
}
