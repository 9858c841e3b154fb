/**
 * The privacy panel: what is processed, stored and sent (nothing), the EU AI Act note, and the
 * controls that limit analysis (only me; Pause is in the popup's header) or delete a meeting's data.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { send } from '../shared/messages.ts';
import type { AnalysisView } from '../shared/types.ts';
import { withTimelineStore } from '../shared/timeline-store.ts';
import { currentMeetingId, describeTime, findMeeting } from './meeting-data.ts';
import type { LiveView } from './use-analysis-view.ts';
import { errorText } from '../shared/errors.ts';
import { OptionSwitch } from './option-switch.tsx';
import { RetentionSetting } from './retention-setting.tsx';

type DeleteStage = 'idle' | 'confirm' | 'deleting';

/** Deleting asks twice: "Delete…" then "Really delete?"; the question lapses after this many ms. */
const CONFIRM_TIMEOUT_MS = 15_000;

/** Props of `PrivacyPanel`. */
export interface PrivacyPanelProps {
  view: AnalysisView | null;
  setOptions: LiveView['setOptions'];
}

/** The privacy panel (`data-testid="privacy"`) with its only-me and delete controls. */
export function PrivacyPanel({ view, setOptions }: PrivacyPanelProps) {
  const [optionError, setOptionError] = useState<string | null>(null);
  const toggle = (name: 'onlyMe') => (event: Event) => {
    const checked = (event.currentTarget as HTMLInputElement).checked;
    setOptionError(null);
    setOptions({ [name]: checked }).catch((err: unknown) => setOptionError(`could not change the option: ${errorText(err)}`));
  };
  return (
    <section class="privacy" data-testid="privacy" aria-labelledby="privacy-title">
      <h2 id="privacy-title">Privacy</h2>
      <ul class="privacy__facts">
        <li>
          <strong>Processed:</strong> the video frames of this tab, in memory, on this computer only.
        </li>
        <li>
          <strong>Stored:</strong> per-second emotion probabilities per participant name, in this browser's extension
          storage, for as long as you choose below. No images, no audio, no video, no URLs.
        </li>
        <li>
          <strong>Sent:</strong> nothing. No data leaves this computer.
        </li>
        <li>
          {process.env.CALLMOOD_BROWSER === 'firefox'
            ? 'In Firefox, the page’s tiles are read by CallMood itself (Firefox has no tab capture, so no capture indicator shows); the ON badge shows while it runs.'
            : 'While analysing, Chrome shows its tab-capture indicator on this tab.'}
        </li>
        <li class="privacy__law">
          <strong>EU AI Act:</strong> inferring the emotions of people at work or in education is prohibited in the EU
          since 2 February 2025, with narrow medical and safety exceptions. Use “Only me” where you may not analyse
          others.
        </li>
      </ul>
      <div class="controls">
        <OptionSwitch testId="only-me-toggle" checked={view?.options.onlyMe ?? false} disabled={!view} onChange={toggle('onlyMe')}>
          Only me (analyse my self-view only)
        </OptionSwitch>
      </div>
      {optionError && (
        <p class="error" role="alert">
          {optionError}
        </p>
      )}
      <RetentionSetting />
      <DeleteMeeting view={view} />
    </section>
  );
}

/**
 * Two-step delete of the current meeting's stored data (the meeting Export exports:
 * `currentMeetingId`, else the latest stored one): stops a running analysis first so nothing
 * is written afterwards.
 */
function DeleteMeeting({ view }: { view: AnalysisView | null }) {
  const [stage, setStage] = useState<DeleteStage>('idle');
  const [target, setTarget] = useState<{ id: string | null; label: string | null }>({ id: null, label: null });
  const [result, setResult] = useState<{ text: string; error: boolean } | null>(null);
  const viewRef = useRef(view);
  viewRef.current = view;

  useEffect(() => {
    if (stage !== 'confirm') return;
    const timer = setTimeout(() => setStage('idle'), CONFIRM_TIMEOUT_MS);
    return () => clearTimeout(timer);
  }, [stage]);

  const ask = (): void => {
    const id = currentMeetingId(viewRef.current);
    setResult(null);
    setTarget({ id, label: null });
    setStage('confirm');
    withTimelineStore((store) => findMeeting(store, id)).then(
      ({ meeting }) =>
        setTarget((t) =>
          t.id === id
            ? {
                id: meeting?.id ?? id,
                label: meeting ? `${meeting.site}, started ${describeTime(meeting.startedAt)}` : 'nothing stored yet',
              }
            : t,
        ),
      (err: unknown) => setTarget((t) => (t.id === id ? { id, label: `storage unavailable: ${errorText(err)}` } : t)),
    );
  };

  const confirm = async (): Promise<void> => {
    setStage('deleting');
    const notes: string[] = [];
    const current = viewRef.current;
    if (current && (current.state === 'running' || current.state === 'starting')) {
      try {
        const outcome = await send('bg/stop', {});
        if (outcome && !outcome.ok) notes.push(`analysis could not be stopped: ${outcome.error}`);
      } catch (err) {
        notes.push(`analysis could not be stopped: ${errorText(err)}`);
      }
    }
    try {
      const text = await withTimelineStore(async (store) => {
        const { meeting } = await findMeeting(store, target.id ?? currentMeetingId(current));
        if (!meeting) return 'nothing to delete: no data stored for this meeting';
        const { seconds } = await store.deleteMeeting(meeting.id);
        return `deleted: ${meeting.site}, started ${describeTime(meeting.startedAt)} (${seconds} seconds of data)`;
      });
      setResult({ text: [text, ...notes].join('; '), error: notes.length > 0 });
    } catch (err) {
      setResult({ text: `could not delete: ${errorText(err)}`, error: true });
    } finally {
      setStage('idle');
    }
  };

  return (
    <div class="delete">
      <div class="delete__buttons">
        <button
          type="button"
          class={stage === 'confirm' ? 'danger' : ''}
          data-testid="delete-meeting"
          disabled={stage === 'deleting'}
          onClick={stage === 'confirm' ? () => void confirm() : ask}
        >
          {stage === 'confirm' ? 'Really delete?' : stage === 'deleting' ? 'Deleting…' : 'Delete this meeting’s data…'}
        </button>
        {stage === 'confirm' && (
          <button type="button" data-testid="delete-cancel" onClick={() => setStage('idle')}>
            Cancel
          </button>
        )}
      </div>
      {stage === 'confirm' && (
        <p class="note" data-testid="delete-target">
          {target.label ?? 'looking up the meeting…'}
        </p>
      )}
      {result && (
        <p class={result.error ? 'error' : 'note'} data-testid="delete-status" role="status">
          {result.text}
        </p>
      )}
    </div>
  );
}
