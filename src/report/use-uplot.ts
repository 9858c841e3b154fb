/**
 * The life of one uPlot chart in a Preact component: drawn into a box when its data change,
 * resized with the box (at least MIN_CHART_WIDTH CSS px wide), destroyed on unmount, and a
 * highlighted time span drawn as uPlot's selection band.
 */
import type { RefObject } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

/** Narrowest highlight drawn, CSS px: a one-second moment of a long meeting still shows. */
const MIN_HIGHLIGHT_PX = 10;
/** Narrowest chart drawn, CSS px. */
const MIN_CHART_WIDTH = 320;

/** A time span to highlight, in seconds since the epoch (uPlot's time scale unit). */
export interface Highlight {
  from: number;
  to: number;
}

/**
 * Draws `data` with `options(width, height)` into the returned box; redraws when a value of
 * `deps` changes.
 * @param highlight span drawn as the selection band, centred and at least MIN_HIGHLIGHT_PX wide; null draws none.
 * @param onChart called with the chart once drawn (the HTML export reads its canvas), and with null when it is destroyed.
 */
export function useUplot(
  options: (width: number, height: number) => uPlot.Options,
  data: () => uPlot.AlignedData,
  height: number,
  highlight: Highlight | null,
  onChart: ((chart: uPlot | null) => void) | undefined,
  deps: readonly unknown[],
): RefObject<HTMLDivElement | null> {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const u = new uPlot(options(Math.max(MIN_CHART_WIDTH, el.clientWidth), height), data(), el);
    chart.current = u;
    onChart?.(u);
    const resize = new ResizeObserver(() => u.setSize({ width: Math.max(MIN_CHART_WIDTH, el.clientWidth), height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      onChart?.(null);
      u.destroy();
      chart.current = null;
    };
    // `options`, `data` and `onChart` are read when the deps change, as the caller declares.
  }, [...deps, height]);

  useEffect(() => {
    const u = chart.current;
    if (!u) return;
    if (!highlight) {
      u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
      return;
    }
    const left = u.valToPos(highlight.from, 'x');
    const right = u.valToPos(highlight.to, 'x');
    const width = Math.max(MIN_HIGHLIGHT_PX, right - left);
    u.setSelect({ left: (left + right) / 2 - width / 2, top: 0, width, height: u.over.clientHeight }, false);
  }, [highlight, ...deps]);

  return box;
}
