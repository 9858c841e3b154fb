/** Entry of the Meetings page (bundled to meetings.js): renders the page into `#app`. */
import { render } from 'preact';
import { MeetingsApp } from './app.tsx';

const root = document.getElementById('app');
if (!root) throw new Error('meetings.html has no #app element');
render(<MeetingsApp />, root);
