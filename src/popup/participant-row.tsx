/**
 * One participant's live emotion: name (with a speaking marker while they speak), dominant
 * class with confidence (or why there is none: "Can't tell — …" for a face too poor to read),
 * "not attending" when they face away or close their eyes, 7 bars, and valence and arousal.
 */
import type { ComponentChildren } from 'preact';
import { useId } from 'preact/hooks';
import { EMOTIONS } from '../shared/emotions.ts';
import type { GapReason, NameSource, ParticipantLive } from '../shared/types.ts';

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
  'low-quality': "can't tell",
  'camera-off': 'camera off',
};

/** What makes a face unreadable (`ParticipantLive.qualityLimit`). */
export type QualityLimit = NonNullable<ParticipantLive['qualityLimit']>;

const QUALITY_TEXT: Record<QualityLimit, string> = {
  size: 'face too small',
  pose: 'turned away',
  light: 'too dark or washed out',
  blur: 'blurred',
};

/** Why a face reads "can't tell", in words (`pose` -> `turned away`); see `ParticipantLive.qualityLimit`. */
export function qualityLimitText(limit: QualityLimit): string {
  return QUALITY_TEXT[limit];
}

/** `Can't tell — turned away` for a face too poor to read (gap `low-quality`), `Can't tell` when the reason is unknown. */
export function cantTellText(limit: ParticipantLive['qualityLimit']): string {
  return limit ? `Can't tell — ${qualityLimitText(limit)}` : "Can't tell";
}

/** Why a participant shows no emotion, in words (`frozen` -> `frozen video`; see `GAP_REASONS`). */
export function gapText(gap: GapReason): string {
  return GAP_TEXT[gap];
}

/**
 * What the row says about the participant: `not updating` when the live view is stale,
 * `Can't tell — <why>` (`cantTellText`) for a face too poor to read (gap `low-quality`), the
 * gap's reason in words (`gapText`) for another gap, `not analysed` when the tile is hidden
 * or excluded (only me), `no face` when no face is visible, else `<emotion> <confidence>%`.
 */
export function dominantText(p: ParticipantLive, stale = false): string {
  if (stale) return 'not updating';
  if (p.gap === 'low-quality') return cantTellText(p.qualityLimit);
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
    'data-name-from': p.nameFrom,
    'data-gap': p.gap ?? undefined,
    'data-update-hz': p.updateHz.toFixed(2),
    'data-stale': stale ? 'true' : undefined,
    'data-speaking': stale || p.speaking === null ? undefined : String(p.speaking),
    'data-speaking-source': stale || p.speaking === null ? undefined : (p.speakingSource ?? undefined),
    'data-uncertain': !stale && p.gap === 'low-quality' ? 'true' : undefined,
    'data-quality-limit': !stale && p.gap === 'low-quality' ? (p.qualityLimit ?? undefined) : undefined,
    'data-attending': stale || p.attending === null ? undefined : String(p.attending),
  };
}

/** What each name source means to a user, for the name's tooltip. */
const NAME_SOURCE_TEXT: Record<NameSource, string> = {
  site: "name from the call site's name tag",
  'accessible-name': "name from the tile's accessible label",
  caption: "name from the caption or heading of the tile's panel",
  overlay: 'name from the label over the picture',
  nearby: 'name from the text beside the picture',
  fallback: 'the page shows no name for this tile: rename it with ✎',
  hand: 'named by you',
};

/**
 * `Alice — name from the caption or heading of the tile's panel`: the name's tooltip, saying
 * where the name comes from; the name alone where no call page names it (the mirror's "You").
 */
export function nameTitle(p: ParticipantLive): string {
  const name = p.name || 'unnamed';
  return p.nameFrom ? `${name} — ${NAME_SOURCE_TEXT[p.nameFrom]}` : name;
}

/** `+0.42`, `−0.05`, `+0.00`: a number in [-1, 1] with its sign and 2 decimals. */
export function signed(value: number): string {
  const text = Math.abs(value).toFixed(2);
  return `${value < 0 && text !== '0.00' ? '−' : '+'}${text}`;
}

/** `valence +0.42 · arousal +0.31` (shared/affect.ts), or null when the row shows no figures or they are unknown. */
export function affectText(p: ParticipantLive, stale: boolean): string | null {
  if (!showsFigures(p, stale) || p.valence === null || p.arousal === null) return null;
  return `valence ${signed(p.valence)} · arousal ${signed(p.arousal)}`;
}

/**
 * `vs. own first minute: valence +0.31, happy +24 %, sad −12 %` (the personal baseline: the
 * valence change and the two classes that moved most, in percentage points), or null when the
 * row shows no figures or there is no baseline (option off, or its first minute not complete).
 */
export function baselineText(p: ParticipantLive, stale: boolean): string | null {
  if (!showsFigures(p, stale) || !p.baseline) return null;
  const moved = Object.entries(p.baseline.change)
    .sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]))
    .slice(0, 2)
    .map(([e, d]) => `${e} ${d < 0 ? '−' : '+'}${Math.abs(Math.round(d * 100))} %`);
  return `vs. own first minute: valence ${signed(p.baseline.valence)}, ${moved.join(', ')}`;
}

/** `speaking (site)` / `speaking (face)`: the speaking marker's title (what says so), or null when not speaking or stale. */
export function speakingTitle(p: ParticipantLive, stale: boolean): string | null {
  if (stale || p.speaking !== true) return null;
  return p.speakingSource ? `speaking (${p.speakingSource})` : 'speaking';
}

/**
 * The speaking marker (`data-testid="speaking"`): a small speaker glyph beside the name while
 * the participant speaks, titled `speaking (site)` or `speaking (face)` after what says so;
 * nothing otherwise.
 */
export function SpeakingMarker({ participant: p, stale }: { participant: ParticipantLive; stale: boolean }) {
  const title = speakingTitle(p, stale);
  if (!title) return null;
  return (
    <span class="speaking" data-testid="speaking" role="img" aria-label={title} title={title}>
      <svg viewBox="0 0 16 16" width="12" height="12" aria-hidden="true">
        <path d="M2 6h3l4-3v10l-4-3H2z" fill="currentColor" />
        <path d="M11 5.5a3.5 3.5 0 0 1 0 5M12.8 3.5a6 6 0 0 1 0 9" fill="none" stroke="currentColor" stroke-width="1.4" stroke-linecap="round" />
      </svg>
    </span>
  );
}

/** `not attending` when the participant faces away or closes their eyes (`attending === false`) and the view is fresh; null otherwise. */
export function attentionText(p: ParticipantLive, stale: boolean): string | null {
  return !stale && p.analysed && p.attending === false ? 'not attending' : null;
}

/**
 * A participant row. Test hooks: `data-testid="participant-row"` with `data-participant-id`,
 * `data-participant-name`, `data-name-from` (the `NameSource`; absent where no call page names the participant), `data-gap` (the `GapReason`; absent when a face is shown),
 * `data-update-hz` (analyses per second, 2 decimals), `data-stale` (when the view is stale),
 * `data-speaking` (`true`/`false`; absent when it can't tell or the view is stale) with
 * `data-speaking-source` (`site`/`face`), `data-uncertain="true"` with `data-quality-limit`
 * (`size`/`pose`/`light`/`blur`) while the face reads "can't tell", and `data-attending`
 * (`true`/`false`; absent when unknown); the text of `data-testid="dominant"`;
 * `data-testid="speaking"` (the marker) while speaking; `data-testid="attention"` (`not
 * attending`); `data-testid="update-rate"` when under 1 update/s; one `data-testid="bar"` per
 * emotion with `data-emotion` and `data-value` (probability, 3 decimals; `0.000` and
 * `data-empty` when there is nothing to show); `data-testid="affect"` with `data-valence` and
 * `data-arousal` (3 decimals) under the bars while figures are shown.
 */
export function ParticipantRow({ participant: p, stale, actions, children }: ParticipantRowProps) {
  const live = showsFigures(p, stale);
  const status = dominantText(p, stale);
  const rate = stale ? null : updateRateText(p);
  const nameId = useId();
  const attention = attentionText(p, stale);
  const affect = affectText(p, stale);
  const baseline = baselineText(p, stale);
  return (
    <li class={`participant${live ? '' : ' participant--idle'}${speakingTitle(p, stale) ? ' participant--speaking' : ''}`} {...rowHooks(p, stale, 'detailed')} aria-labelledby={nameId}>
      <div class="participant__head">
        <span class="participant__name" id={nameId} title={nameTitle(p)}>
          {p.name || 'unnamed'}
          {p.isSelf && <span class="participant__you"> (you)</span>}
          <SpeakingMarker participant={p} stale={stale} />
        </span>
        <span class="participant__status">
          {attention && (
            <span class="attention muted" data-testid="attention">
              {attention}
            </span>
          )}
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
      {affect && (
        <p class="affect muted" data-testid="affect" data-valence={p.valence!.toFixed(3)} data-arousal={p.arousal!.toFixed(3)} title="Derived from the 7 probabilities (circumplex of Russell and Mehrabian), not measured">
          {affect}
        </p>
      )}
      {baseline && (
        <p class="affect muted" data-testid="baseline" data-valence-change={p.baseline!.valence.toFixed(3)} title="The change from this person's own median over their first minute with a readable face">
          {baseline}
        </p>
      )}
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
