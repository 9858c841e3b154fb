/**
 * The report page of one meeting (`report.html?meeting=<id>`): the meeting, the legend, the key
 * moments, the whole meeting's mood, talk time and reactions, one section per participant, and export as JSON, CSV and
 * one self-contained HTML file. `document.body.dataset.state` says where the page is:
 * `loading`, `ready`, `empty` (no such meeting or no seconds) or `error`; tests and the
 * benchmark wait on it, and `data-ready-ms` is the time from navigation to the first frame
 * drawn after that (ms, `performance.now()`).
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type uPlot from 'uplot';
import { EMOTION_COLORS } from '../shared/emotion-colors.ts';
import { EMOTIONS } from '../shared/emotions.ts';
import { errorText } from '../shared/errors.ts';
import { downloadFile, exportFiles, fileStamp } from '../popup/meeting-data.ts';
import { buildReportHtml, type ChartImage } from './html-export.ts';
import { KeyMoments } from './key-moments.tsx';
import { excludeFromMeeting, loadReport, type LoadedReport } from './load.ts';
import { ParticipantSection } from './participant-section.tsx';
import { meetingLine, noticeTexts, resolutionText } from './report-text.ts';
import { StackedChart, type Highlight } from './stacked-chart.tsx';
import { TalkSection } from './talk-section.tsx';

type PageState = { kind: 'loading' } | { kind: 'error'; message: string } | { kind: 'loaded'; loaded: LoadedReport };

/** The PNG of a drawn chart. */
function chartImage(u: uPlot): ChartImage {
  return { dataUrl: u.ctx.canvas.toDataURL('image/png'), width: u.width, height: u.height };
}

/** The page for meeting `meetingId` (null: no meeting chosen). */
export function ReportApp({ meetingId }: { meetingId: string | null }) {
  const [state, setState] = useState<PageState>({ kind: 'loading' });
  const [chosen, setChosen] = useState<number | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const charts = useRef(new Map<string, uPlot>());

  const reload = () => {
    if (meetingId === null) {
      setState({ kind: 'error', message: 'No meeting chosen: open a report from the Meetings page or the popup.' });
      return;
    }
    loadReport(meetingId).then(
      (loaded) => setState({ kind: 'loaded', loaded }),
      (err) => setState({ kind: 'error', message: `The meeting could not be read: ${errorText(err)}` }),
    );
  };
  useEffect(reload, [meetingId]);

  const report = state.kind === 'loaded' ? state.loaded.report : null;
  const times = useMemo(() => (report ? report.bins.map((s) => report.meeting.startedAt / 1000 + s) : []), [report]);
  const empty = report !== null && report.participants.every((p) => p.summary.secondsObserved === 0);
  useEffect(() => {
    const kind = state.kind === 'loaded' ? (report === null || empty ? 'empty' : 'ready') : state.kind;
    // After the next frame the charts are drawn: stamp the time since navigation (the benchmark reads it).
    if (kind !== 'loading') requestAnimationFrame(() => (document.body.dataset.readyMs = String(Math.round(performance.now()))));
    document.body.dataset.state = kind;
    if (report) document.title = `CallMood report: ${meetingLine(report)}`;
  }, [state, report, empty]);

  if (state.kind === 'loading') return <p class="note">Reading the meeting…</p>;
  if (state.kind === 'error') return <p class="error" role="alert">{state.message}</p>;
  if (!report) {
    return (
      <p class="note" data-testid="not-found">
        This meeting is not stored (it was deleted, or its record is damaged{state.loaded.skipped ? `: ${state.loaded.skipped} corrupt record skipped` : ''}). <a href="meetings.html">All meetings</a>
      </p>
    );
  }

  const moment = chosen === null ? null : report.keyMoments[chosen];
  const highlight: Highlight | null = moment ? { from: moment.at / 1000 - report.binSeconds, to: moment.at / 1000 + report.binSeconds } : null;
  const onChart = (id: string, u: uPlot | null) => (u ? charts.current.set(id, u) : charts.current.delete(id));
  const files = () => exportFiles(report.meeting, state.loaded.seconds);
  const exportHtml = () => {
    const images = new Map([...charts.current].map(([id, u]) => [id, chartImage(u)]));
    const name = `callmood-report-${fileStamp(report.meeting.startedAt)}.html`;
    downloadFile({ name, type: 'text/html', content: buildReportHtml(report, images, Date.now()) });
    setStatus(`saved ${name}`);
  };
  const save = (which: 'summary' | 'timeline') => {
    const file = files()[which];
    downloadFile(file);
    setStatus(`saved ${file.name}`);
  };
  const exclude = async (id: string) => {
    const deleted = await excludeFromMeeting(report.meeting.id, id);
    setStatus(`deleted ${deleted} seconds of one participant`);
    setChosen(null);
    reload();
  };

  return (
    <>
      <header class="top">
        <div>
          <h1>Meeting report</h1>
          <p class="meta" data-testid="meeting-line">
            {meetingLine(report)}
          </p>
        </div>
        <nav class="actions" data-testid="report-export">
          <button type="button" data-testid="export-html" onClick={exportHtml} disabled={empty}>
            Report (HTML)
          </button>
          <button type="button" data-testid="export-json" onClick={() => save('summary')}>
            Summary (JSON)
          </button>
          <button type="button" data-testid="export-csv" onClick={() => save('timeline')}>
            Timeline (CSV)
          </button>
          <a href="meetings.html">All meetings</a>
        </nav>
      </header>
      {status && (
        <p class="note" role="status" data-testid="report-status">
          {status}
        </p>
      )}
      {noticeTexts(report).map((n) => (
        <p class="notice" data-testid="notice" key={n}>
          {n}
        </p>
      ))}
      {empty ? (
        <p class="note" data-testid="empty">
          Nothing to chart: no participant was observed in this meeting.
        </p>
      ) : (
        <>
          <ul class="legend" aria-label="Emotion colours">
            {EMOTIONS.map((e) => (
              <li key={e}>
                <span class="swatch" style={{ background: EMOTION_COLORS[e] }} />
                {e}
              </li>
            ))}
          </ul>
          <KeyMoments moments={report.keyMoments} chosen={chosen} onChoose={setChosen} startedAt={report.meeting.startedAt} />
          <section class="mood" aria-labelledby="mood-title">
            <h2 id="mood-title">The whole meeting</h2>
            <p class="note">Mean over the participants with a face; {resolutionText(report.binSeconds)}; gaps where no face was seen.</p>
            <StackedChart times={times} arc={report.mood} label="Mood of the whole meeting" highlight={highlight} height={200} onChart={(u) => onChart('', u)} />
          </section>
          <TalkSection report={report} />
          <h2>Participants</h2>
          {report.participants.map((p) => (
            <ParticipantSection key={p.summary.id} participant={p} times={times} highlight={highlight} onExclude={exclude} onChart={onChart} />
          ))}
        </>
      )}
    </>
  );
}
