/**
 * The toolbar popup: start/stop (and resume) for the target tab, live per-participant emotion
 * (participant-list.tsx), pipeline figures, overlay toggle, export and the privacy panel.
 * At any number of participants the controls stay in view: Start/Stop, Pause and the links to
 * the report and meetings pages in a header, Export in a footer, and everything between them
 * scrolls in its own box (a Chrome popup is at most 800 x 600 px).
 */
import { useEffect, useState } from 'preact/hooks';
import browser from 'webextension-polyfill';
import { send } from '../shared/messages.ts';
import type { Outcome } from '../shared/messages.ts';
import type { AnalysisView, PipelineStats } from '../shared/types.ts';
import { ExportButtons } from './export-buttons.tsx';
import { isStale, liveAge, useNow } from './live-staleness.ts';
import { currentMeetingId } from './meeting-data.ts';
import { AnalysePageOffer, fallbackText } from './page-access.tsx';
import { PageLinks } from './page-links.tsx';
import { ParticipantList } from './participant-list.tsx';
import { Sparkline } from './sparkline.tsx';
import { useSparkHistory } from './use-spark-history.ts';
import { PrivacyPanel } from './privacy-panel.tsx';
import { MessageLine, StateLines } from './status-lines.tsx';
import type { Command } from './status-lines.tsx';
import { useAnalysisView } from './use-analysis-view.ts';
import type { Connection } from './use-analysis-view.ts';
import { errorText } from '../shared/errors.ts';
import { OptionSwitch } from './option-switch.tsx';

/**
 * The tab the popup controls: the `tabId` query parameter when present (tests open the popup
 * as a tab and name the call page's tab), else the active tab of the current window.
 * @returns the tab id, or null when there is no active tab.
 * @throws Error when `tabId` is present but not a non-negative integer.
 */
export async function resolveTargetTab(search: string = location.search): Promise<number | null> {
  const param = new URLSearchParams(search).get('tabId');
  if (param !== null) {
    const id = Number(param);
    if (!Number.isInteger(id) || id < 0) throw new Error(`invalid tabId parameter: ${param}`);
    return id;
  }
  const [tab] = await browser.tabs.query({ active: true, currentWindow: true });
  return tab?.id ?? null;
}

/**
 * `backend webgl · 14.8 fps · 23 ms/frame · latency 41 ms`; `no figures yet` before the first
 * figures; `not updating: last figures N s old` (whole seconds) when the live figures are
 * `staleAgeMs` ms old (null while they are live).
 */
export function statsText(stats: PipelineStats | null, staleAgeMs: number | null = null): string {
  if (staleAgeMs !== null) return `not updating: last figures ${Math.floor(staleAgeMs / 1000)} s old`;
  if (!stats) return 'no figures yet';
  return [
    `backend ${stats.backend ?? 'none'}`,
    `${stats.fps.toFixed(1)} fps`,
    `${Math.round(stats.inferenceMs)} ms/frame`,
    `latency ${Math.round(stats.latencyMs)} ms`,
  ].join(' · ');
}

/** `meet.google.com (meet adapter)`, or a dash when no call page is known. */
function siteText(view: AnalysisView | null): string {
  if (!view || (view.site === null && view.adapter === null)) return '–';
  return `${view.site ?? 'unknown site'} (${view.adapter ?? 'no'} adapter)`;
}

function stateText(view: AnalysisView | null, connection: Connection, targetTabId: number | null): string {
  if (!view) return connection === 'reconnecting' ? 'Waiting for CallMood’s background…' : 'Connecting…';
  switch (view.state) {
    case 'idle':
      return 'Not analysing.';
    case 'starting':
      return 'Starting…';
    case 'stopping':
      return 'Stopping: saving the last seconds…';
    case 'running': {
      const where = view.tabId !== null && view.tabId !== targetTabId ? `another tab (#${view.tabId})` : 'this tab';
      return `Analysing ${where}${view.options.paused ? ' (paused)' : ''}.`;
    }
    case 'error':
      return 'Stopped by an error.';
  }
}

const NO_PARTICIPANTS: AnalysisView['participants'] = [];

/** The popup's root component. */
export function App() {
  const { view, connection, connectionError, setOptions } = useAnalysisView();
  const [targetTabId, setTargetTabId] = useState<number | null>(null);
  const [tabError, setTabError] = useState<string | null>(null);
  const [pending, setPending] = useState<Command | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);

  useEffect(() => {
    resolveTargetTab().then(
      (id) => {
        setTargetTabId(id);
        if (id === null) setTabError('no active tab to analyse');
      },
      (err: unknown) => setTabError(errorText(err)),
    );
  }, []);

  const active = view?.state === 'running' || view?.state === 'starting';
  const now = useNow(view?.state === 'running');
  const stale = isStale(view, now);
  const staleAgeMs = stale ? liveAge(view, now) : null;
  const spark = useSparkHistory(view, stale);

  const runCommand = async (kind: Command): Promise<void> => {
    setPending(kind);
    setActionError(null);
    try {
      let outcome: Outcome | undefined;
      if (kind === 'start') {
        if (targetTabId === null) throw new Error('no tab to analyse');
        outcome = await send('bg/start', { tabId: targetTabId });
      } else {
        outcome = await send(kind === 'stop' ? 'bg/stop' : 'bg/resume', {});
      }
      if (!outcome) setActionError(`could not ${kind}: the background did not answer`);
      else if (!outcome.ok) setActionError(outcome.error);
    } catch (err) {
      setActionError(`could not ${kind}: ${errorText(err)}`);
    } finally {
      setPending(null);
    }
  };

  const onOverlayChange = (event: Event): void => {
    const overlays = (event.currentTarget as HTMLInputElement).checked;
    setActionError(null);
    setOptions({ overlays }).catch((err: unknown) => setActionError(`could not change overlays: ${errorText(err)}`));
  };

  const onBaselineChange = (event: Event): void => {
    const baseline = (event.currentTarget as HTMLInputElement).checked;
    setActionError(null);
    setOptions({ baseline }).catch((err: unknown) => setActionError(`could not change the baseline option: ${errorText(err)}`));
  };

  const onPauseChange = (event: Event): void => {
    const paused = (event.currentTarget as HTMLInputElement).checked;
    setActionError(null);
    setOptions({ paused }).catch((err: unknown) => setActionError(`could not change pause: ${errorText(err)}`));
  };

  const loading = pending === 'start' || view?.state === 'starting';
  const participants = view?.participants ?? NO_PARTICIPANTS;
  const fallback = active ? fallbackText(view?.fallbackFrom) : null;

  return (
    <div class="popup">
      <header class="popup__top">
        <div class="head">
          <h1>CallMood</h1>
          <button
            type="button"
            class={active ? 'stop' : 'primary'}
            data-testid="start-stop"
            disabled={pending !== null || view?.state === 'stopping' || (!active && targetTabId === null)}
            onClick={() => void runCommand(active ? 'stop' : 'start')}
          >
            {view?.state === 'stopping' ? 'Stopping…' : active ? 'Stop analysis' : 'Start analysis'}
          </button>
        </div>
        <div class="toolbar">
          <OptionSwitch testId="pause-toggle" checked={view?.options.paused ?? false} disabled={!view} onChange={onPauseChange}>
            Pause
          </OptionSwitch>
          <PageLinks meetingId={currentMeetingId(view)} />
        </div>
      </header>

      <div class="popup__scroll" data-testid="popup-scroll">
        <StateLines
          view={view}
          text={stateText(view, connection, targetTabId)}
          loading={loading}
          connection={connection}
          connectionError={connectionError}
          staleAgeMs={staleAgeMs}
        />
        {actionError && (
          <p class="error" data-testid="error" role="alert">
            {actionError}
          </p>
        )}
        {tabError && (
          <p class="error" role="alert">
            {tabError}
          </p>
        )}
        <AnalysePageOffer tabId={targetTabId} hidden={active || pending !== null || !view} start={() => runCommand('start')} />
        {fallback && (
          <p class="note" data-testid="fallback-notice" role="status">
            {fallback}
          </p>
        )}
        <MessageLine view={view} pending={pending} resume={() => void runCommand('resume')} />

        <dl class="figures">
          <dt>Pipeline</dt>
          <dd data-testid="stats" title={view?.stats?.backendReason || undefined}>
            {statsText(view?.stats ?? null, staleAgeMs)}
          </dd>
          <dt>Call site</dt>
          <dd data-testid="site">{siteText(view)}</dd>
        </dl>

        <section aria-labelledby="participants-title">
          <div class="section-head">
            <h2 id="participants-title">Participants{participants.length > 0 ? ` (${participants.length})` : ''}</h2>
            <OptionSwitch testId="overlay-toggle" checked={view?.options.overlays ?? false} disabled={!view} onChange={onOverlayChange}>
              Overlays on the call page
            </OptionSwitch>
            <OptionSwitch testId="baseline-toggle" checked={view?.options.baseline ?? false} disabled={!view} onChange={onBaselineChange}>
              Compare with each person's own first minute
            </OptionSwitch>
          </div>
          {participants.length > 0 ? (
            <ParticipantList participants={participants} stale={stale} spark={spark} Chart={Sparkline} />
          ) : (
            <p class="note muted">{active ? 'No participant tiles found yet.' : 'Start analysis to see participants.'}</p>
          )}
        </section>

        <PrivacyPanel view={view} setOptions={setOptions} />
      </div>

      <footer class="popup__foot">
        <ExportButtons meetingId={currentMeetingId(view)} />
      </footer>
    </div>
  );
}
