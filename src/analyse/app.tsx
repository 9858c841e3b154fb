/**
 * The "Analyse a recording" page: choose or drop a local video file; it is analysed faster than
 * real time where the machine allows (file-analysis.ts) with a progress bar, the time left,
 * Stop (keep what was analysed) and Cancel (discard it); the result opens in the report.
 * `body[data-state]` is idle / running / done / error, and a finished analysis sets
 * `body[data-meeting-id]`, `data-people`, `data-speed` (video seconds per second) and
 * `data-stepping` (its SteppingReport as JSON), for tests, the benchmark and the
 * `npm run analyse` command. `analyse.html?stepping=seek` steps by seeking only (the
 * benchmark's baseline); the default plays the video through.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { errorText } from '../shared/errors.ts';
import { formatDuration } from '../shared/report-model.ts';
import { withTimelineStore } from '../shared/timeline-store.ts';
import { analyseVideo, FileAnalysisError, MIN_PERSON_SECONDS, openVideo, type FileProgress, type FileResult, type FileStepping } from './file-analysis.ts';

type State = { kind: 'idle' } | { kind: 'running'; name: string; progress: FileProgress | null } | { kind: 'done'; name: string; result: FileResult } | { kind: 'error'; message: string };

/** `~1:05 left` from the progress so far, or '' before a rate is known. */
export function timeLeftText(p: FileProgress): string {
  if (p.videoSeconds <= 0 || p.elapsedMs <= 0) return '';
  const left = ((p.duration - p.videoSeconds) * p.elapsedMs) / p.videoSeconds / 1000;
  return `about ${formatDuration(Math.max(0, left))} left`;
}

/** The stepping `analyse.html?stepping=…` asks for: 'seek' or 'play' (the default). */
function askedStepping(): FileStepping {
  return new URLSearchParams(location.search).get('stepping') === 'seek' ? 'seek' : 'play';
}

/** The page. */
export function AnalyseApp() {
  const [state, setState] = useState<State>({ kind: 'idle' });
  const [over, setOver] = useState(false);
  const abort = useRef<AbortController | null>(null);
  const discard = useRef(false);

  useEffect(() => {
    const body = document.body.dataset;
    body.state = state.kind;
    if (state.kind === 'done') Object.assign(body, { meetingId: state.result.meetingId, people: String(state.result.people), speed: state.result.speed.toFixed(2), stepping: JSON.stringify(state.result.stepping) });
  }, [state]);

  const start = async (file: File) => {
    abort.current = new AbortController();
    discard.current = false;
    setState({ kind: 'running', name: file.name, progress: null });
    try {
      const video = await openVideo(file);
      const result = await analyseVideo(video, file.name, { signal: abort.current.signal, stepping: askedStepping(), onProgress: (progress) => setState({ kind: 'running', name: file.name, progress }) });
      URL.revokeObjectURL(video.src);
      if (discard.current) {
        await withTimelineStore((s) => s.deleteMeeting(result.meetingId));
        setState({ kind: 'idle' });
      } else {
        setState({ kind: 'done', name: file.name, result });
      }
    } catch (err) {
      setState({ kind: 'error', message: err instanceof FileAnalysisError ? err.message : `The analysis failed: ${errorText(err)}` });
    }
  };

  const onFiles = (files: FileList | null | undefined) => {
    const file = files?.[0];
    if (file) void start(file);
  };

  const running = state.kind === 'running';
  return (
    <main>
      <h1>Analyse a recording</h1>
      <p class="muted">A video file on this computer (WebM, or MP4 with a codec this browser plays). It is read here and never leaves this computer; only the per-second results are kept, as a meeting you can open in the report and delete.</p>
      <div
        class="drop"
        data-over={String(over)}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          e.preventDefault();
          setOver(false);
          if (!running) onFiles(e.dataTransfer?.files);
        }}
      >
        <label>
          Choose a video file, or drop one here:{' '}
          <input type="file" accept="video/*" data-testid="file" disabled={running} onChange={(e) => onFiles((e.currentTarget).files)} />
        </label>
      </div>
      {state.kind === 'running' && (
        <section data-testid="running">
          <p>
            Analysing <strong>{state.name}</strong>
            {state.progress ? ` · ${formatDuration(state.progress.videoSeconds)} of ${formatDuration(state.progress.duration)} · ${state.progress.people} ${state.progress.people === 1 ? 'person' : 'people'} · ${timeLeftText(state.progress)}` : ' · loading the models…'}
          </p>
          <progress data-testid="progress" max={state.progress?.duration ?? 1} value={state.progress?.videoSeconds ?? 0} />
          <div class="row">
            <button type="button" data-testid="stop" onClick={() => abort.current?.abort()}>
              Stop and keep what was analysed
            </button>
            <button
              type="button"
              data-testid="cancel"
              onClick={() => {
                discard.current = true;
                abort.current?.abort();
              }}
            >
              Cancel and discard
            </button>
          </div>
        </section>
      )}
      {state.kind === 'done' && <Done name={state.name} result={state.result} />}
      {state.kind === 'error' && (
        <p class="error" role="alert" data-testid="error">
          {state.message}
        </p>
      )}
    </main>
  );
}

function Done({ name, result }: { name: string; result: FileResult }) {
  return (
    <section data-testid="done">
      <p data-testid="result">
        {result.stopped ? 'Stopped: ' : ''}
        {formatDuration(result.videoSeconds)} of <strong>{name}</strong> analysed in {formatDuration(result.elapsedMs / 1000)} ({result.speed.toFixed(1)}× real time, {result.backend.split(':')[0]}).{' '}
        {result.people === 0 ? 'No face found in this video.' : `${result.people} ${result.people === 1 ? 'person' : 'people'} found.`}
        {result.briefPeople > 0 ? ` ${result.briefPeople} more seen for under ${MIN_PERSON_SECONDS} s (a face in passing, or one face briefly taken for two).` : ''}
      </p>
      <div class="row">
        <a href={`report.html?meeting=${encodeURIComponent(result.meetingId)}`} data-testid="open-report">
          Open the report
        </a>
        <a href="meetings.html">All meetings</a>
      </div>
    </section>
  );
}
