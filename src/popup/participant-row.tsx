/** One participant's live emotion: name, dominant class with confidence (or why there is none), and 7 bars. */
import type { ComponentChildren } from 'preact';
import { useId } from 'preact/hooks';
import { EMOTIONS } from '../shared/emotions.ts';
import type { GapReason, ParticipantLive } from '../shared/types.ts';

/** Confidence or probability in [0, 1] as a whole percentage, e.g. `82%`. */
export function percent(p: number): string {
  return `${Math.round(p * 100)}%`;
}

const GAP_TEXT: Record<GapReason, string> = {
  'no-face': 'no face',
  'face-too-small': 'face too small',
  'tile-too-small': 'tile too small',
  frozen: 'frozen video',
  black: 'black video',
  paused: 'paused',
  overloaded: 'overloaded',
  'not-recording': 'not recording',
};

/** Why a participant shows no emotion, in words (`frozen` -> `frozen video`; see `GAP_REASONS`). */
export function gapText(gap: GapReason): string {
  return GAP_TEXT[gap];
}

/**
 * What the row says about the participant: `not updating` when the live view is stale, the
 * gap's reason in words (`gapText`) when there is one, `not analysed` when the tile is hidden
 * or excluded (only me), `no face` when no face is visible, else `<emotion> <confidence>%`.
 */
export function dominantText(p: ParticipantLive, stale = false): string {
  if (stale) return 'not updating';
  if (p.gap !== null) return gapText(p.gap);
  if (!p.analysed) return 'not analysed';
  if (!p.faceVisible || p.dominant === null || p.confidence === null) return 'no face';
  return `${p.dominant} ${percent(p.confidence)}`;
}

/**
 * The update rate to show for a participant analysed less than once a second, e.g.
 * `0.7 updates/s` (`0.05 updates/s` under 0.1); null when analysed at 1/s or more, not
 * analysed, or without a rate yet (0).
 */
export function updateRateText(p: ParticipantLive): string | null {
  const hz = p.updateHz;
  if (!p.analysed || !(hz > 0 && hz < 1)) return null;
  return `${hz < 0.1 ? hz.toPrecision(1) : hz.toFixed(1)} updates/s`;
}

/** Props of `ParticipantRow`. */
export interface ParticipantRowProps {
  participant: ParticipantLive;
  /** True when the live view stopped updating: the row shows no figures. */
  stale: boolean;
  /** Buttons at the end of the head line (details, exclude). */
  actions?: ComponentChildren;
  /** Shown under the bars (the exclude confirmation). */
  children?: ComponentChildren;
}

/** True when a row shows live figures: a face, no gap, a fresh view. */
export function showsFigures(p: ParticipantLive, stale: boolean): boolean {
  return !stale && p.gap === null && p.analysed && p.faceVisible && p.probabilities !== null;
}

/**
 * The attributes every participant row carries, detailed or compact (the test hooks listed
 * at `ParticipantRow`), with `data-view` saying which.
 */
export function rowHooks(p: ParticipantLive, stale: boolean, view: 'detailed' | 'compact') {
  return {
    'data-testid': 'participant-row',
    'data-view': view,
    'data-participant-id': p.id,
    'data-participant-name': p.name,
    'data-gap': p.gap ?? undefined,
    'data-update-hz': p.updateHz.toFixed(2),
    'data-stale': stale ? 'true' : undefined,
  };
}

/**
 * A participant row. Test hooks: `data-testid="participant-row"` with `data-participant-id`,
 * `data-participant-name`, `data-gap` (the `GapReason`; absent when a face is shown),
 * `data-update-hz` (analyses per second, 2 decimals) and `data-stale` (when the view is stale);
 * the text of `data-testid="dominant"`; `data-testid="update-rate"` when under 1 update/s; one
 * `data-testid="bar"` per emotion with `data-emotion` and `data-value` (probability, 3 decimals;
 * `0.000` and `data-empty` when there is nothing to show).
 */
export function ParticipantRow({ participant: p, stale, actions, children }: ParticipantRowProps) {
  const live = showsFigures(p, stale);
  const status = dominantText(p, stale);
  const rate = stale ? null : updateRateText(p);
  const nameId = useId();
  return (
    <li class={`participant${live ? '' : ' participant--idle'}`} {...rowHooks(p, stale, 'detailed')} aria-labelledby={nameId}>
      <div class="participant__head">
        <span class="participant__name" id={nameId}>
          {p.name || 'unnamed'}
          {p.isSelf && <span class="participant__you"> (you)</span>}
        </span>
        <span class="participant__status">
          {rate && (
            <span class="participant__rate muted" data-testid="update-rate">
              {rate}
            </span>
          )}
          <span class={`participant__dominant${live ? '' : ' muted'}`} data-testid="dominant">
            {status}
          </span>
          {actions}
        </span>
      </div>
      <EmotionBars probabilities={live ? p.probabilities : null} label={`${p.name || 'participant'}: ${status}`} status={status} />
      {children}
    </li>
  );
}

/** The 7 bars of a row; all empty (`data-empty`) when `probabilities` is null. */
function EmotionBars({ probabilities, label, status }: { probabilities: ParticipantLive['probabilities']; label: string; status: string }) {
  return (
    <ul class="bars" aria-label={label}>
      {EMOTIONS.map((emotion) => {
        const value = probabilities ? probabilities[emotion] : 0;
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
              aria-valuetext={probabilities ? percent(value) : status}
              data-testid="bar"
              data-emotion={emotion}
              data-value={value.toFixed(3)}
              data-empty={probabilities ? undefined : 'true'}
            >
              <span class={`bar__fill bar__fill--${emotion}`} style={{ width: `${(value * 100).toFixed(1)}%` }} />
            </span>
            <span class="bar__value">{probabilities ? percent(value) : '–'}</span>
          </li>
        );
      })}
    </ul>
  );
}
