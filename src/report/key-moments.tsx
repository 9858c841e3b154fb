/** The key-moments list of the report: choosing one highlights it in every chart. */
import { describeDateTime } from '../popup/meeting-data.ts';
import { formatDuration, type KeyMoment } from '../shared/report-model.ts';

/**
 * What a key moment says, e.g. `3 people happy or surprised together (Ana, Ben, Caro)` or
 * `negative emotions peaked at 45 % (Ben)`. Pure.
 */
export function momentText(m: KeyMoment): string {
  const who = m.names.length ? ` (${m.names.join(', ')})` : '';
  if (m.kind === 'together') return `${m.score} ${m.score === 1 ? 'person' : 'people'} happy or surprised together${who}`;
  return `negative emotions peaked at ${Math.round(m.score * 100)} %${who}`;
}

/** `14:02:31 (12:31 in)`: the moment's local clock time and its offset from the start. Pure but for the locale. */
export function momentTime(m: KeyMoment): string {
  const clock = new Date(m.at).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  return `${clock} (${formatDuration(m.second)} in)`;
}

/** Props of `KeyMoments`. */
export interface KeyMomentsProps {
  moments: KeyMoment[];
  /** The chosen moment's index, or null. */
  chosen: number | null;
  onChoose: (index: number | null) => void;
  /** The meeting's start, ms since the epoch (for the empty text). */
  startedAt: number;
}

/** The list (`data-testid="key-moments"`), one button per moment (`data-testid="key-moment"`, `aria-pressed`). */
export function KeyMoments({ moments, chosen, onChoose, startedAt }: KeyMomentsProps) {
  return (
    <section class="moments" data-testid="key-moments" aria-labelledby="moments-title">
      <h2 id="moments-title">Key moments</h2>
      {moments.length === 0 ? (
        <p class="note">No moment stands out in the meeting of {describeDateTime(startedAt)}: nobody was happy or surprised, and negative emotions never reached 30 %.</p>
      ) : (
        <ol>
          {moments.map((m, i) => (
            <li key={`${m.kind}-${m.second}`}>
              <button type="button" class={`moment moment--${m.kind}`} data-testid="key-moment" data-kind={m.kind} data-second={m.second} aria-pressed={chosen === i} onClick={() => onChoose(chosen === i ? null : i)}>
                <span class="moment__time">{momentTime(m)}</span> {momentText(m)}
              </button>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
