/**
 * A stacked-area chart of the 7 emotion probabilities over a meeting's clock time, drawn by
 * uPlot (canvas; 53 kB minified, no eval, so it runs under MV3's extension-page CSP, and it
 * draws 10 charts of 1,200 points in well under the report's time budget: docs/report.md).
 * Bins without a face are null and drawn as gaps, never as zeros.
 */
import type uPlot from 'uplot';
import { EMOTION_COLORS } from '../shared/emotion-colors.ts';
import { EMOTIONS } from '../shared/emotions.ts';
import type { Arc } from '../shared/report-model.ts';
import { useUplot, type Highlight } from './use-uplot.ts';

export type { Highlight } from './use-uplot.ts';

/** Props of `StackedChart`. */
export interface StackedChartProps {
  /** Bin start times in seconds since the epoch, ascending. */
  times: number[];
  /** Probabilities per bin (null: gap). */
  arc: Arc;
  /** Accessible name of the chart (the participant's name, or "Whole meeting"). */
  label: string;
  /** Height of the plot in CSS px. */
  height?: number;
  /** Span drawn as uPlot's selection band; null draws none. */
  highlight: Highlight | null;
  /** Called with the chart once drawn (the HTML export reads its canvas), and with null when it is destroyed. */
  onChart?: (chart: uPlot | null) => void;
}

/**
 * The uPlot data of a stacked area: x, then per emotion the running sum of the probabilities
 * up to it (EMOTIONS order), null where the bin is a gap. Pure.
 */
export function stackedData(times: number[], arc: Arc): uPlot.AlignedData {
  const cumulative = new Array<number | null>(times.length).fill(0);
  const series = EMOTIONS.map((e) =>
    times.map((_, i) => {
      const v = arc[e][i];
      const below = cumulative[i];
      const sum = v === null || v === undefined || below === null || below === undefined ? null : below + v;
      cumulative[i] = sum;
      return sum;
    }),
  );
  return [times, ...series];
}

/** uPlot options for a stacked area of the 7 emotions, `width` × `height` CSS px. */
export function stackedOptions(width: number, height: number): uPlot.Options {
  return {
    width,
    height,
    scales: { x: { time: true }, y: { range: [0, 1] } },
    axes: [
      { label: 'time', labelSize: 18 },
      { label: 'probability', labelSize: 18, values: (_u, ticks) => ticks.map((t) => `${Math.round(t * 100)} %`) },
    ],
    series: [
      { label: 'time' },
      ...EMOTIONS.map((e, k): uPlot.Series => ({
        label: e,
        stroke: EMOTION_COLORS[e],
        width: 1,
        points: { show: false },
        fill: k === 0 ? EMOTION_COLORS[e] : undefined,
        value: (_u, v, _s, i) => (v === null || i === null ? '–' : `${Math.round(100 * (v - (k > 0 ? ((_u.data[k]?.[i] as number | null) ?? 0) : 0)))} %`),
      })),
    ],
    bands: EMOTIONS.slice(1).map((e, k): uPlot.Band => ({ series: [k + 2, k + 1], fill: EMOTION_COLORS[e] })),
    cursor: { sync: { key: 'callmood-report' }, drag: { x: false, y: false } },
    legend: { show: false },
  };
}

/** The chart component (`data-testid="chart"`, `aria-label` = label); redraws when its data change. */
export function StackedChart({ times, arc, label, height = 160, highlight, onChart }: StackedChartProps) {
  const box = useUplot(stackedOptions, () => stackedData(times, arc), height, highlight, onChart, [times, arc]);
  return <div class="chart" data-testid="chart" role="img" aria-label={label} ref={box} />;
}
