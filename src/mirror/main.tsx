/** Entry of the mirror page (bundled to mirror.js): renders the page into `#app`. */
import { render } from 'preact';
import { MirrorApp } from './app.tsx';

const root = document.getElementById('app');
if (!root) throw new Error('mirror.html has no #app element');
render(<MirrorApp />, root);
