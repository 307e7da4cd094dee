import { mount } from 'svelte';
import App from './App.svelte';
import { settingsBridge } from './bridge.js';
import { SettingsState } from './settings-state.svelte.js';
import './settings.css';

const state = new SettingsState(settingsBridge());
mount(App, { target: document.getElementById('app')!, props: { app: state } });
window.addEventListener('beforeunload', () => state.dispose());
void state.load();
