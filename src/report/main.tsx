/** Entry of the report page (bundled to report.js): uPlot's stylesheet, then the app into `#app`. */
import { render } from 'preact';
import uplotCss from 'uplot/dist/uPlot.min.css';
import { ReportApp } from './app.tsx';
import { meetingIdFrom } from './load.ts';

const style = document.createElement('style');
style.textContent = uplotCss;
document.head.append(style);

const root = document.getElementById('app');
if (!root) throw new Error('report.html has no #app element');
document.body.dataset.state = 'loading';
render(<ReportApp meetingId={meetingIdFrom(location.search)} />, root);
