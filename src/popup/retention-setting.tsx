/** The retention setting (popup's privacy panel, Meetings page): how long meetings are kept after they end. */
import { useEffect, useState } from 'preact/hooks';
import { send } from '../shared/messages.ts';
import { errorText } from '../shared/errors.ts';
import { loadRetention, RETENTION_CHOICES, type RetentionDays } from '../shared/retention.ts';

/** The label of a retention choice: "30 days", "1 year", "until I delete them". */
export function retentionLabel(days: RetentionDays): string {
  if (days === null) return 'until I delete them';
  if (days === 365) return '1 year';
  return `${days} ${days === 1 ? 'day' : 'days'}`;
}

/**
 * A select (`data-testid="retention"`) that stores the choice and applies it at once through the
 * background; its status line is `retention-status`. Shown in the popup's privacy panel and on
 * the Meetings page. `onApplied` gets how many meetings the new setting deleted, once the
 * background applied it (the Meetings page reloads its list then).
 */
export function RetentionSetting({ onApplied }: { onApplied?: (deleted: number) => void } = {}) {
  const [days, setDays] = useState<RetentionDays | undefined>(undefined);
  const [status, setStatus] = useState<{ text: string; error: boolean } | null>(null);

  useEffect(() => {
    loadRetention().then(setDays, (err: unknown) => setStatus({ text: `could not read the setting: ${errorText(err)}`, error: true }));
  }, []);

  const choose = (event: Event): void => {
    const value = (event.currentTarget as HTMLSelectElement).value;
    const chosen: RetentionDays = value === 'forever' ? null : Number(value);
    setDays(chosen);
    setStatus(null);
    send('bg/set-retention', { days: chosen }).then(
      ({ deleted }) => {
        setStatus(deleted > 0 ? { text: `${deleted} older ${deleted === 1 ? 'meeting' : 'meetings'} deleted`, error: false } : null);
        onApplied?.(deleted);
      },
      (err: unknown) => setStatus({ text: `could not apply the setting: ${errorText(err)}`, error: true }),
    );
  };

  return (
    <div class="retention">
      <label>
        Keep meetings for{' '}
        <select data-testid="retention" disabled={days === undefined} value={days === undefined ? '' : days === null ? 'forever' : String(days)} onChange={choose}>
          {RETENTION_CHOICES.map((d) => (
            <option key={String(d)} value={d === null ? 'forever' : String(d)}>
              {retentionLabel(d)}
            </option>
          ))}
        </select>{' '}
        after they end
      </label>
      {status && (
        <p class={status.error ? 'error' : 'note'} data-testid="retention-status" role="status">
          {status.text}
        </p>
      )}
    </div>
  );
}
