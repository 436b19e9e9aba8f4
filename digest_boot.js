// Starts the digest worker. Messages that arrive while its WebAssembly loads
// would find no handler and be lost, so they wait in a queue that the worker
// empties once it listens (see src/worker/digest.rs).
import init from './digest.js';

self.__early = [];
self.onmessage = (event) => self.__early.push(event);
await init({ module_or_path: './digest_bg.wasm' });
