import { mount } from 'svelte';
import '../settings/settings.css';
import App from './App.svelte';
import { historyBridge } from './bridge.js';
import './history.css';
import { HistoryState } from './history-state.svelte.js';

const state = new HistoryState(historyBridge());
mount(App, { target: document.getElementById('app')!, props: { app: state } });
window.addEventListener('beforeunload', () => state.dispose());
void state.load();
