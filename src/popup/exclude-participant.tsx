/**
 * Excluding a participant from the meeting being analysed, from their row: "Exclude…" opens
 * an inline confirmation with the choice to delete their recorded seconds too; confirming
 * sends `bg/exclude-participant`. From then on they are not analysed (no overlay, no new
 * seconds) and leave the live view.
 */
import { useState } from 'preact/hooks';
import { send, type Outcome } from '../shared/messages.ts';
import { errorText } from '../shared/errors.ts';

/** Sends the exclusion (`bg/exclude-participant`); tests pass their own. */
export type ExcludeSender = (participantId: string, deleteRecords: boolean) => Promise<Outcome>;

/** The real sender: `bg/exclude-participant` to the background. */
export const sendExclude: ExcludeSender = async (participantId, deleteRecords) =>
  (await send('bg/exclude-participant', { participantId, deleteRecords })) ?? { ok: false, error: 'the background did not answer' };

/** Props of `ExcludeConfirm`. */
export interface ExcludeConfirmProps {
  participantId: string;
  /** The participant's name as shown. */
  name: string;
  /** Closes the confirmation (cancelled). */
  onCancel: () => void;
  /** The exclusion went through (`ok`): the row may go. */
  onExcluded: (participantId: string) => void;
  sender?: ExcludeSender;
}

/**
 * The inline confirmation (`data-testid="exclude-confirm"`): the checkbox
 * `exclude-delete` ("also delete their recorded seconds", off by default), `exclude-yes`,
 * `exclude-cancel`, and `exclude-error` when the background reports a failure.
 */
export function ExcludeConfirm({ participantId, name, onCancel, onExcluded, sender = sendExclude }: ExcludeConfirmProps) {
  const [deleteRecords, setDeleteRecords] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const confirm = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      const outcome = await sender(participantId, deleteRecords);
      if (outcome.ok) onExcluded(participantId);
      else setError(outcome.error);
    } catch (err) {
      setError(`could not exclude: ${errorText(err)}`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="exclude" data-testid="exclude-confirm" role="group" aria-label={`Exclude ${name}`}>
      <p class="exclude__text">
        Stop analysing <strong>{name}</strong> for the rest of this meeting?
      </p>
      <label class="switch">
        <input type="checkbox" data-testid="exclude-delete" checked={deleteRecords} onChange={(e) => setDeleteRecords(e.currentTarget.checked)} />
        also delete their recorded seconds
      </label>
      <div class="exclude__buttons">
        <button type="button" class="danger" data-testid="exclude-yes" disabled={busy} onClick={() => void confirm()}>
          {busy ? 'Excluding…' : 'Exclude'}
        </button>
        <button type="button" data-testid="exclude-cancel" disabled={busy} onClick={onCancel}>
          Cancel
        </button>
      </div>
      {error && (
        <p class="error" data-testid="exclude-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
