// Starts the app. A module file of the page's own origin, so that the
// Content-Security-Policy needs no inline script.
import init from './numberly.js';

await init({ module_or_path: './numberly_bg.wasm' });
