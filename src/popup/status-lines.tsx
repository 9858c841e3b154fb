/**
 * The lines under the popup's header that say how the analysis stands: the state, whether the
 * timeline is being written, whether the live figures are still live, and the background's
 * message with the Resume button after a resumable fault.
 */
import type { AnalysisView } from '../shared/types.ts';
import { staleText } from './live-staleness.ts';
import type { Connection } from './use-analysis-view.ts';

/** A command the popup sends to the background for the target tab's analysis. */
export type Command = 'start' | 'stop' | 'resume';

/** Props of `StateLines`. */
export interface StateLinesProps {
  view: AnalysisView | null;
  /** The state in words ("Analysing this tab."). */
  text: string;
  /** True while the analysis starts (models load). */
  loading: boolean;
  connection: Connection;
  /** Why the connection is `reconnecting`, or null. */
  connectionError: string | null;
  /** Age of the live figures, ms, when they are stale; null while live or when there are none. */
  staleAgeMs: number | null;
}

/**
 * The state line (`data-testid="state"` with `data-state` and `data-live-at`: `liveAt` or
 * empty), then `data-testid="not-recording"` ("Not recording: <reason>") while the timeline is
 * not written, and `data-testid="live-stale"` while the live figures are stale.
 */
export function StateLines({ view, text, loading, connection, connectionError, staleAgeMs }: StateLinesProps) {
  return (
    <>
      <p class="state" data-testid="state" data-state={view?.state ?? 'unknown'} data-live-at={view?.liveAt ?? ''} role="status">
        {text}
        {loading && (
          <span class="progress" data-testid="progress">
            {' '}
            loading models…
          </span>
        )}
        {connection === 'reconnecting' && (
          <span class="reconnecting" data-testid="reconnecting" title={connectionError ?? undefined}>
            {' '}
            reconnecting…
          </span>
        )}
      </p>
      {view?.notRecording && (
        <p class="error not-recording" data-testid="not-recording" role="alert">
          Not recording: {view.notRecording}
        </p>
      )}
      {staleAgeMs !== null && (
        <p class="stale" data-testid="live-stale" role="status">
          {staleText(staleAgeMs)}
        </p>
      )}
    </>
  );
}

/** Props of `MessageLine`. */
export interface MessageLineProps {
  view: AnalysisView | null;
  /** The command in flight, or null. */
  pending: Command | null;
  /** Sends `bg/resume`. */
  resume: () => void;
}

/**
 * The background's message (`data-testid="message"`) and, when the fault is resumable, the
 * Resume button beside it (`data-testid="resume"`, disabled while a command is in flight).
 */
export function MessageLine({ view, pending, resume }: MessageLineProps) {
  if (!view || (!view.message && !view.resumable)) return null;
  return (
    <div class="message-line">
      {view.message && (
        <p class={view.state === 'error' ? 'error' : 'note'} data-testid="message">
          {view.message}
        </p>
      )}
      {view.resumable && (
        <button type="button" class="primary" data-testid="resume" disabled={pending !== null} onClick={resume}>
          {pending === 'resume' ? 'Resuming…' : 'Resume'}
        </button>
      )}
    </div>
  );
}
