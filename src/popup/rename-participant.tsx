/**
 * Naming a participant by hand, from their row: "Rename" opens an inline form with the name
 * as shown; saving sends `bg/rename-participant`. The name then wins over the page's for the
 * rest of the meeting: in the popup, the overlays, the records, the report and the exports.
 * An empty name goes back to the page's.
 */
import { useState } from 'preact/hooks';
import { send, type Outcome } from '../shared/messages.ts';
import { errorText } from '../shared/errors.ts';

/** Sends the rename (`bg/rename-participant`); tests pass their own. */
export type RenameSender = (participantId: string, name: string) => Promise<Outcome>;

/** The real sender: `bg/rename-participant` to the background. */
export const sendRename: RenameSender = async (participantId, name) => (await send('bg/rename-participant', { participantId, name })) ?? { ok: false, error: 'the background did not answer' };

/** Props of `RenameForm`. */
export interface RenameFormProps {
  participantId: string;
  /** The participant's name as shown (the form's starting text). */
  name: string;
  /** Closes the form (cancelled, or saved). */
  onClose: () => void;
  sender?: RenameSender;
}

/**
 * The inline form (`data-testid="rename-form"`): the text field `rename-input`, `rename-save`
 * (also Enter), `rename-cancel` (also Escape), and `rename-error` when the background refuses.
 */
export function RenameForm({ participantId, name, onClose, sender = sendRename }: RenameFormProps) {
  const [text, setText] = useState(name);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const save = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      const outcome = await sender(participantId, text);
      if (outcome.ok) onClose();
      else setError(outcome.error);
    } catch (err) {
      setError(`could not rename: ${errorText(err)}`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      class="exclude"
      data-testid="rename-form"
      aria-label={`Rename ${name}`}
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
      onKeyDown={(e) => {
        if (e.key === 'Escape') onClose();
      }}
    >
      <label class="exclude__text">
        Name for this meeting (empty: the page's name){' '}
        <input type="text" data-testid="rename-input" value={text} maxLength={80} autoFocus onInput={(e) => setText(e.currentTarget.value)} />
      </label>
      <div class="exclude__buttons">
        <button type="submit" class="primary" data-testid="rename-save" disabled={busy}>
          {busy ? 'Saving…' : 'Save'}
        </button>
        <button type="button" data-testid="rename-cancel" disabled={busy} onClick={onClose}>
          Cancel
        </button>
      </div>
      {error && (
        <p class="error" data-testid="rename-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
