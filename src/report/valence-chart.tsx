/**
 * A line chart of one participant's valence over the meeting's clock time (uPlot, canvas):
 * the per-bin mean of the valence derived from the emotion probabilities (shared/affect.ts),
 * with the zero line (a neutral face). Bins without a face are null and drawn as breaks in the
 * line, never as zeros. Shares the report's cursor and highlight with the stacked charts.
 */
import type uPlot from 'uplot';
import { VALENCE_RANGE } from '../popup/history.ts';
import { zeroLine } from '../popup/sparkline.tsx';
import { useUplot, type Highlight } from './use-uplot.ts';

/** Colours of the line and the zero line (canvas colours; CSS variables do not reach a canvas). */
const LINE = '#2f5fd0';
const ZERO = 'rgba(107, 107, 115, 0.7)';

/** Props of `ValenceChart`. */
export interface ValenceChartProps {
  /** Bin start times in seconds since the epoch, ascending. */
  times: number[];
  /** Mean valence per bin in [-1, 1] (null: gap). */
  valence: (number | null)[];
  /** Accessible name of the chart. */
  label: string;
  /** Height of the plot in CSS px. */
  height?: number;
  /** Span drawn as uPlot's selection band; null draws none. */
  highlight: Highlight | null;
  /** Called with the chart once drawn (the HTML export reads its canvas), and with null when it is destroyed. */
  onChart?: (chart: uPlot | null) => void;
}

/** `+0.42` / `−0.05` for the axis and the cursor's value. */
const signed = (v: number): string => `${v < 0 ? '−' : '+'}${Math.abs(v).toFixed(2)}`;

/**
 * uPlot options for the valence line, `width` × `height` CSS px: y over `VALENCE_RANGE`
 * (the lowest to the highest valence a face can reach, about −0.64 … +0.81), gaps not spanned.
 */
export function valenceOptions(width: number, height: number): uPlot.Options {
  return {
    width,
    height,
    scales: { x: { time: true }, y: { range: [VALENCE_RANGE[0], VALENCE_RANGE[1]] } },
    axes: [
      { label: 'time', labelSize: 18 },
      { label: 'valence', labelSize: 18, values: (_u, ticks) => ticks.map(signed) },
    ],
    series: [{ label: 'time' }, { label: 'valence', stroke: LINE, width: 1.5, spanGaps: false, points: { show: false }, value: (_u, v) => (v === null ? '–' : signed(v)) }],
    cursor: { sync: { key: 'callmood-report' }, drag: { x: false, y: false } },
    legend: { show: false },
    hooks: { drawAxes: [zeroLine(ZERO, [4, 3])] },
  };
}

/** The chart (`data-testid="valence-chart"`, `aria-label` = label); redraws when its data change. */
export function ValenceChart({ times, valence, label, height = 110, highlight, onChart }: ValenceChartProps) {
  const box = useUplot(valenceOptions, () => [times, valence], height, highlight, onChart, [times, valence]);
  return <div class="chart chart--valence" data-testid="valence-chart" role="img" aria-label={label} ref={box} />;
}
