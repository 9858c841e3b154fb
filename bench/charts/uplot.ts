/** uPlot in `npm run bench:charts`: the report page's own chart options (stacked-chart.tsx). */
import uPlot from 'uplot';
import { stackedData, stackedOptions } from '../../src/report/stacked-chart.tsx';
import { benchArc, twoFrames, type DrawCharts } from './data.ts';

const draw: DrawCharts = async (points, charts) => {
  const box = document.createElement('div');
  document.body.replaceChildren(box);
  const t0 = performance.now();
  for (let c = 0; c < charts; c++) {
    const { times, arc } = benchArc(points, c + 1);
    new uPlot(stackedOptions(1000, 160), stackedData(times, arc), box);
  }
  await twoFrames();
  return performance.now() - t0;
};
(globalThis as { drawCharts?: DrawCharts }).drawCharts = draw;
