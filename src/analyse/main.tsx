/** Entry of the recording-analysis page (bundled to analyse.js): renders the page into `#app`. */
import { render } from 'preact';
import { AnalyseApp } from './app.tsx';

const root = document.getElementById('app');
if (!root) throw new Error('analyse.html has no #app element');
render(<AnalyseApp />, root);
