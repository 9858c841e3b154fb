/** Observable Plot in `npm run bench:charts`: a stacked areaY per emotion (SVG), gaps as undefined. */
import * as Plot from '@observablehq/plot';
import { EMOTION_COLORS } from '../../src/shared/emotion-colors.ts';
import { EMOTIONS } from '../../src/shared/emotions.ts';
import { benchArc, timeCharts, type DrawCharts } from './data.ts';

const draw: DrawCharts = (points, charts) =>
  timeCharts(charts, (box, c) => {
    const { times, arc } = benchArc(points, c + 1);
    const rows = EMOTIONS.flatMap((e) => times.map((t, i) => ({ t: new Date(t * 1000), e, p: arc[e][i] ?? undefined })));
    box.append(
      Plot.plot({
        width: 1000,
        height: 160,
        y: { domain: [0, 1] },
        color: { domain: [...EMOTIONS], range: EMOTIONS.map((e) => EMOTION_COLORS[e]) },
        marks: [Plot.areaY(rows, { x: 't', y: 'p', fill: 'e', order: [...EMOTIONS] })],
      }),
    );
  });
(globalThis as { drawCharts?: DrawCharts }).drawCharts = draw;
