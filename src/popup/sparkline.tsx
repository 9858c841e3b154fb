/**
 * A participant's sparkline: their valence (history.ts, shared/affect.ts) over the last two
 * minutes, drawn with uPlot on a small canvas over the valence's range (`VALENCE_RANGE`), with
 * the zero line; seconds without a face are gaps. uPlot's
 * stylesheet is put into the page by the popup's entry (main.tsx). The chart is
 * made once per row and only given new data (`setData`) when its data changes, at most once a
 * second (use-spark-history.ts).
 */
import { useLayoutEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import { HISTORY_SECONDS, VALENCE_RANGE, type SparkData } from './history.ts';

/** Size of a sparkline, CSS px. */
export const SPARK_WIDTH = 96;
export const SPARK_HEIGHT = 22;

/** Colours of the line and its fill (canvas colours; CSS variables do not reach a canvas). */
const LINE = '#2f5fd0';
const FILL = 'rgba(47, 95, 208, 0.18)';
const ZERO = 'rgba(127, 127, 127, 0.55)';

/**
 * A uPlot `drawAxes` hook that draws the horizontal line y = 0 across the plot, 1 px in
 * `color`, dashed when `dash` is given (canvas dash pattern, px).
 */
export function zeroLine(color: string, dash: number[] = []): (u: uPlot) => void {
  return (u) => {
    const y = Math.round(u.valToPos(0, 'y', true)) + 0.5;
    const ctx = u.ctx;
    ctx.save();
    ctx.strokeStyle = color;
    ctx.lineWidth = 1;
    ctx.setLineDash(dash);
    ctx.beginPath();
    ctx.moveTo(u.bbox.left, y);
    ctx.lineTo(u.bbox.left + u.bbox.width, y);
    ctx.stroke();
    ctx.restore();
  };
}

function options(): uPlot.Options {
  return {
    width: SPARK_WIDTH,
    height: SPARK_HEIGHT,
    pxAlign: false,
    cursor: { show: false },
    select: { show: false, left: 0, top: 0, width: 0, height: 0 },
    legend: { show: false },
    padding: [1, 0, 1, 0],
    scales: { x: { time: false, range: [-(HISTORY_SECONDS - 1), 0] }, y: { range: [VALENCE_RANGE[0], VALENCE_RANGE[1]] } },
    axes: [{ show: false }, { show: false }],
    series: [{}, { stroke: LINE, fill: FILL, fillTo: 0, width: 1.25, spanGaps: false, points: { show: false } }],
    // The zero line (a neutral face): above it the pleasant emotions outweigh the unpleasant ones.
    hooks: { drawAxes: [zeroLine(ZERO)] },
  };
}

/** Props of `Sparkline` (and of a stand-in that tests pass instead). */
export interface SparklineProps {
  data: SparkData;
  /** What it shows, for screen readers. */
  label: string;
}

/** The sparkline (`data-testid="sparkline"`, see the module comment). */
export function Sparkline({ data, label }: SparklineProps) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  useLayoutEffect(() => {
    chart.current = new uPlot(options(), data, box.current!);
    return () => {
      chart.current?.destroy();
      chart.current = null;
    };
  }, []);
  useLayoutEffect(() => {
    chart.current?.setData(data);
  }, [data]);
  return <div class="sparkline" ref={box} role="img" aria-label={label} data-testid="sparkline" />;
}
