/**
 * One participant on one line (the compact view): name (with the speaking marker while they
 * speak, and a dimmed "not attending" mark), dominant emotion and its confidence (or why there
 * is none, "Can't tell — …" included), a stacked bar of the 7 probabilities, and a sparkline of the last
 * two minutes. It carries the same test hooks as the detailed row (participant-row.tsx), the
 * 7 bars being the stacked bar's segments, so anything that reads rows reads both.
 */
import type { ComponentChildren, ComponentType } from 'preact';
import { useId } from 'preact/hooks';
import { EMOTIONS } from '../shared/emotions.ts';
import type { ParticipantLive } from '../shared/types.ts';
import type { SparkData } from './history.ts';
import { attentionText, dominantText, nameTitle, percent, rowHooks, showsFigures, SpeakingMarker, speakingTitle, updateRateText } from './participant-row.tsx';
import type { SparklineProps } from './sparkline.tsx';

/** Props of `CompactRow`. */
export interface CompactRowProps {
  participant: ParticipantLive;
  /** True when the live view stopped updating: the row shows no figures. */
  stale: boolean;
  /** The sparkline's data (history.ts). */
  spark: SparkData;
  /** The sparkline component (`Sparkline`; tests pass a stand-in: uPlot needs a canvas). */
  Chart: ComponentType<SparklineProps>;
  /** Buttons at the end of the line (details, exclude). */
  actions?: ComponentChildren;
  /** Shown under the line (the exclude confirmation). */
  children?: ComponentChildren;
}

/**
 * True when `a` and `b` show the same in a row (what is drawn: names, flags, gap and its
 * quality limit, speaking and its source, attention, rate to 2 decimals, valence and arousal
 * to 3, probabilities to 3); the frame time, face box and quality, which rows do not show, are
 * not compared. Lets unchanged rows skip rendering when a new view arrives.
 */
export function sameInRow(a: ParticipantLive, b: ParticipantLive): boolean {
  if (a === b) return true;
  if (a.id !== b.id || a.name !== b.name || a.isSelf !== b.isSelf || a.analysed !== b.analysed || a.faceVisible !== b.faceVisible) return false;
  if (a.dominant !== b.dominant || a.gap !== b.gap || a.confidence !== b.confidence || a.updateHz.toFixed(2) !== b.updateHz.toFixed(2)) return false;
  if (a.qualityLimit !== b.qualityLimit || a.speaking !== b.speaking || a.speakingSource !== b.speakingSource || a.attending !== b.attending) return false;
  if (a.valence?.toFixed(3) !== b.valence?.toFixed(3) || a.arousal?.toFixed(3) !== b.arousal?.toFixed(3)) return false;
  if (a.probabilities === null || b.probabilities === null) return a.probabilities === b.probabilities;
  return EMOTIONS.every((e) => a.probabilities![e].toFixed(3) === b.probabilities![e].toFixed(3));
}

/**
 * The compact row. Test hooks as `ParticipantRow`'s (`participant-row` with
 * `data-participant-id`, `data-participant-name`, `data-name-from`, `data-gap`, `data-update-hz`, `data-stale`,
 * `data-speaking`, `data-speaking-source`, `data-uncertain`, `data-quality-limit`,
 * `data-attending`; `dominant`; `speaking`; `attention`; 7 `bar`s with `data-emotion`, `data-value`, `data-empty`), plus
 * `data-view="compact"` and the segment widths as `style.width` in % of the stacked bar.
 */
export function CompactRow({ participant: p, stale, spark, Chart, actions, children }: CompactRowProps) {
  const live = showsFigures(p, stale);
  const status = dominantText(p, stale);
  const rate = stale ? null : updateRateText(p);
  const nameId = useId();
  const name = p.name || 'unnamed';
  const attention = attentionText(p, stale);
  return (
    <li class={`participant participant--compact${live ? '' : ' participant--idle'}${speakingTitle(p, stale) ? ' participant--speaking' : ''}`} {...rowHooks(p, stale, 'compact')} aria-labelledby={nameId}>
      <div class="crow">
        <span class="crow__name" id={nameId} title={attention ? `${nameTitle(p)}; ${attention}` : nameTitle(p)}>
          <SpeakingMarker participant={p} stale={stale} />
          {name}
          {p.isSelf && <span class="participant__you"> (you)</span>}
          {attention && (
            <span class="attention attention--mark muted" data-testid="attention" role="img" aria-label={attention} title={attention}>
              <svg viewBox="0 0 16 16" width="12" height="12" aria-hidden="true">
                <path d="M1.5 8s2.4-4 6.5-4 6.5 4 6.5 4-2.4 4-6.5 4-6.5-4-6.5-4z" fill="none" stroke="currentColor" stroke-width="1.3" />
                <path d="M2.5 13.5l11-11" stroke="currentColor" stroke-width="1.4" stroke-linecap="round" />
              </svg>
            </span>
          )}
        </span>
        <span class={`crow__dominant${live ? '' : ' muted'}`} data-testid="dominant" title={[status, rate].filter(Boolean).join(' · ')}>
          {status}
        </span>
        <StackedBar probabilities={live ? p.probabilities : null} label={`${name}: ${status}`} />
        <Chart data={spark} label={`${name}: valence (pleasant above the line, unpleasant below) over the last two minutes`} />
        {actions}
      </div>
      {children}
    </li>
  );
}

/** The 7 probabilities side by side in one bar, each segment as wide as its probability; empty (`data-empty`) when null. */
function StackedBar({ probabilities, label }: { probabilities: ParticipantLive['probabilities']; label: string }) {
  return (
    <span class="stack" role="img" aria-label={label}>
      {EMOTIONS.map((emotion) => {
        const value = probabilities ? probabilities[emotion] : 0;
        return (
          <span
            key={emotion}
            class={`stack__part bar__fill--${emotion}`}
            title={probabilities ? `${emotion} ${percent(value)}` : undefined}
            data-testid="bar"
            data-emotion={emotion}
            data-value={value.toFixed(3)}
            data-empty={probabilities ? undefined : 'true'}
            style={{ width: `${(value * 100).toFixed(1)}%` }}
          />
        );
      })}
    </span>
  );
}
