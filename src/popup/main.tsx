/** Entry of the toolbar popup (bundled to popup.js): puts uPlot's stylesheet (the sparklines') into the page and renders the app into `#app`. */
import { render } from 'preact';
import uplotCss from 'uplot/dist/uPlot.min.css';
import { App } from './app.tsx';

const style = document.createElement('style');
style.textContent = uplotCss;
document.head.append(style);

const root = document.getElementById('app');
if (!root) throw new Error('popup.html has no #app element');
render(<App />, root);
