/** One participant's live emotion: name, dominant class with confidence, and 7 bars. */
import { useId } from 'preact/hooks';
import { EMOTIONS } from '../shared/emotions.ts';
import type { ParticipantLive } from '../shared/types.ts';

/** Confidence or probability in [0, 1] as a whole percentage, e.g. `82%`. */
export function percent(p: number): string {
  return `${Math.round(p * 100)}%`;
}

/**
 * What the row says about the participant: `not analysed` when the tile is hidden or
 * excluded (only me), `no face` when no face is visible, else `<emotion> <confidence>%`.
 */
export function dominantText(p: ParticipantLive): string {
  if (!p.analysed) return 'not analysed';
  if (!p.faceVisible || p.dominant === null || p.confidence === null) return 'no face';
  return `${p.dominant} ${percent(p.confidence)}`;
}

/**
 * A participant row. Test hooks: `data-testid="participant-row"` with `data-participant-id`
 * and `data-participant-name`; the text of `data-testid="dominant"`; one
 * `data-testid="bar"` per emotion with `data-emotion` and `data-value` (probability, 3 decimals;
 * `0.000` and `data-empty` when there is nothing to show).
 */
export function ParticipantRow({ participant: p }: { participant: ParticipantLive }) {
  const live = p.analysed && p.faceVisible && p.probabilities !== null;
  const status = dominantText(p);
  const nameId = useId();
  return (
    <li
      class={`participant${live ? '' : ' participant--idle'}`}
      data-testid="participant-row"
      data-participant-id={p.id}
      data-participant-name={p.name}
      aria-labelledby={nameId}
    >
      <div class="participant__head">
        <span class="participant__name" id={nameId}>
          {p.name || 'unnamed'}
          {p.isSelf && <span class="participant__you"> (you)</span>}
        </span>
        <span class={`participant__dominant${live ? '' : ' muted'}`} data-testid="dominant">
          {status}
        </span>
      </div>
      <ul class="bars" aria-label={`${p.name || 'participant'}: ${status}`}>
        {EMOTIONS.map((emotion) => {
          const value = live ? p.probabilities![emotion] : 0;
          return (
            <li class="bar" key={emotion}>
              <span class="bar__label">{emotion}</span>
              <span
                class="bar__track"
                role="meter"
                aria-label={emotion}
                aria-valuemin={0}
                aria-valuemax={100}
                aria-valuenow={Math.round(value * 100)}
                aria-valuetext={live ? percent(value) : status}
                data-testid="bar"
                data-emotion={emotion}
                data-value={value.toFixed(3)}
                data-empty={live ? undefined : 'true'}
              >
                <span class={`bar__fill bar__fill--${emotion}`} style={{ width: `${(value * 100).toFixed(1)}%` }} />
              </span>
              <span class="bar__value">{live ? percent(value) : '–'}</span>
            </li>
          );
        })}
      </ul>
    </li>
  );
}
