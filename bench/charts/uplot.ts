/** uPlot in `npm run bench:charts`: the report page's own chart options (stacked-chart.tsx). */
import uPlot from 'uplot';
import { stackedData, stackedOptions } from '../../src/report/stacked-chart.tsx';
import { benchArc, timeCharts, type DrawCharts } from './data.ts';

const draw: DrawCharts = (points, charts) =>
  timeCharts(charts, (box, c) => {
    const { times, arc } = benchArc(points, c + 1);
    new uPlot(stackedOptions(1000, 160), stackedData(times, arc), box);
  });
(globalThis as { drawCharts?: DrawCharts }).drawCharts = draw;
