/**
 * One participant in the report: facts, signals (talk time, attention, mean valence and
 * arousal, face quality, "can't tell" time), share of time per emotion, the emotional arc,
 * the valence over time, and exclude.
 */
import { useState } from 'preact/hooks';
import { EMOTION_COLORS } from '../shared/emotion-colors.ts';
import { EMOTIONS } from '../shared/emotions.ts';
import type { ParticipantReport } from '../shared/report-model.ts';
import { valenceChartKey } from './html-export.ts';
import { factsText, gapText, percent, signalCells, type FigureCell } from './report-text.ts';
import { StackedChart, type Highlight } from './stacked-chart.tsx';
import { ValenceChart } from './valence-chart.tsx';
import type uPlot from 'uplot';

/** Props of `ParticipantSection`. */
export interface ParticipantSectionProps {
  participant: ParticipantReport;
  /** Bin start times, seconds since the epoch. */
  times: number[];
  highlight: Highlight | null;
  /** Deletes the participant's records; rejects with a readable Error. */
  onExclude: (id: string) => Promise<void>;
  /** Called with each chart drawn (key: the participant id for the arc, `valenceChartKey(id)` for the valence), and null when it goes. */
  onChart: (id: string, chart: uPlot | null) => void;
}

/** A figure cell (`data-field` = the summary's field, `data-value` = its exact number; absent when unknown, the cell reading `—`). */
export function FigureTd({ cell }: { cell: FigureCell }) {
  return (
    <td data-field={cell.key} data-value={cell.value ?? undefined}>
      {cell.text}
    </td>
  );
}

/**
 * The signals table (`data-testid="signals"`): talk time, attending share, mean valence and
 * arousal, mean face quality and "can't tell" time, one cell each (`FigureTd`, see `signalCells`).
 */
export function SignalTable({ participant }: { participant: ParticipantReport }) {
  const cells = signalCells(participant.summary);
  return (
    <table class="shares signals" data-testid="signals">
      <caption>Talk, attention, valence and arousal (derived from the probabilities), face quality</caption>
      <thead>
        <tr>
          {cells.map((c) => (
            <th key={c.key} scope="col">
              {c.label}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        <tr>
          {cells.map((c) => (
            <FigureTd key={c.key} cell={c} />
          ))}
        </tr>
      </tbody>
    </table>
  );
}

/** The share-of-time table: one cell per emotion (`data-emotion`, `data-value` = the summary's exact share). */
export function ShareTable({ participant }: { participant: ParticipantReport }) {
  const share = participant.summary.dominantShare;
  return (
    <table class="shares" data-testid="shares">
      <caption>Share of the time with a face, by dominant emotion</caption>
      <thead>
        <tr>
          {EMOTIONS.map((e) => (
            <th key={e} scope="col">
              <span class="swatch" style={{ background: EMOTION_COLORS[e] }} /> {e}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        <tr>
          {EMOTIONS.map((e) => (
            <td key={e} data-emotion={e} data-value={share[e]}>
              {percent(share[e])}
            </td>
          ))}
        </tr>
      </tbody>
    </table>
  );
}

/** The section (`data-testid="participant"`, `data-participant-id`). */
export function ParticipantSection({ participant, times, highlight, onExclude, onChart }: ParticipantSectionProps) {
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const p = participant.summary;
  const gaps = gapText(p.gaps);
  const exclude = async () => {
    try {
      await onExclude(p.id);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  return (
    <section class="participant" data-testid="participant" data-participant-id={p.id}>
      <header class="participant__head">
        <h3 data-testid="participant-name">
          {p.name || p.id}
          {participant.isSelf && <span class="tag"> (you)</span>}
        </h3>
        {!confirming && (
          <button type="button" class="quiet" data-testid="exclude" onClick={() => setConfirming(true)}>
            Exclude…
          </button>
        )}
      </header>
      {confirming && (
        <p class="confirm" role="alertdialog" aria-label={`Exclude ${p.name}`}>
          Delete every recorded second of {p.name || p.id} and hide them from this report? This cannot be undone.{' '}
          <button type="button" class="danger" data-testid="exclude-confirm" onClick={() => void exclude()}>
            Delete their records
          </button>{' '}
          <button type="button" data-testid="exclude-cancel" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </p>
      )}
      {error && <p class="error">Could not exclude: {error}</p>}
      <p class="facts" data-testid="facts">
        {factsText(participant)}
        {gaps && <span class="gaps"> · without emotion: {gaps}</span>}
      </p>
      <SignalTable participant={participant} />
      {participant.noFaceSeen ? (
        <p class="no-face" data-testid="no-face">
          No face seen: there is no emotion to chart for {p.name || p.id}.
        </p>
      ) : (
        <>
          <ShareTable participant={participant} />
          <StackedChart times={times} arc={participant.arc} label={`Emotional arc of ${p.name || p.id}`} highlight={highlight} onChart={(u) => onChart(p.id, u)} />
          <ValenceChart times={times} valence={participant.valence} label={`Valence of ${p.name || p.id} over time`} highlight={highlight} onChart={(u) => onChart(valenceChartKey(p.id), u)} />
        </>
      )}
    </section>
  );
}
