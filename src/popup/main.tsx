/** Entry of the toolbar popup (bundled to popup.js): renders the app into `#app`. */
import { render } from 'preact';
import { App } from './app.tsx';

const root = document.getElementById('app');
if (!root) throw new Error('popup.html has no #app element');
render(<App />, root);
