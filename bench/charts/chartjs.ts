/** Chart.js in `npm run bench:charts`: a stacked line chart filled to the series below, no animation, no points, linear x. */
import { Chart, registerables } from 'chart.js';
import { EMOTION_COLORS } from '../../src/shared/emotion-colors.ts';
import { EMOTIONS } from '../../src/shared/emotions.ts';
import { benchArc, timeCharts, type DrawCharts } from './data.ts';

Chart.register(...registerables);

const draw: DrawCharts = (points, charts) =>
  timeCharts(charts, (box, c) => {
    const { times, arc } = benchArc(points, c + 1);
    const wrap = document.createElement('div');
    wrap.style.cssText = 'width:1000px;height:160px';
    const canvas = document.createElement('canvas');
    wrap.append(canvas);
    box.append(wrap);
    new Chart(canvas, {
      type: 'line',
      data: {
        datasets: EMOTIONS.map((e, k) => ({
          label: e,
          data: times.map((x, i) => ({ x, y: arc[e][i] ?? null })) as { x: number; y: number }[],
          borderColor: EMOTION_COLORS[e],
          backgroundColor: EMOTION_COLORS[e],
          borderWidth: 1,
          pointRadius: 0,
          fill: k === 0 ? 'origin' : '-1',
          spanGaps: false,
        })),
      },
      options: { animation: false, responsive: true, maintainAspectRatio: false, parsing: false, normalized: true, scales: { x: { type: 'linear' }, y: { stacked: true, min: 0, max: 1 } }, plugins: { legend: { display: false } } },
    });
  });
(globalThis as { drawCharts?: DrawCharts }).drawCharts = draw;
