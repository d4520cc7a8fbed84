import { render } from 'preact';
import { App } from './App';
import { restoreSession } from './state/session';
import './styles.css';

void restoreSession();
const root = document.getElementById('app');
if (root !== null) render(<App />, root);
