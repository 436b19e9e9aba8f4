// A static server for dist/ on 127.0.0.1, for the end-to-end tests: the right
// MIME types (wasm included) and the same Content-Security-Policy header as the
// Dockerfile's server.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/** Serves `root`. To test a missing or a slow file: a request for a path in `refuse`
 * gets a 404, one for a path in `slow` is answered after 1.5 s. */
export function serve(root, port = 0, { refuse = [], slow = [] } = {}) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    if (refuse.includes(url.pathname)) {
      server.refused = (server.refused ?? 0) + 1;
      res.writeHead(404).end('not found');
      return;
    }
    if (slow.includes(url.pathname)) {
      setTimeout(() => answer(url, res), 1500);
      return;
    }
    answer(url, res);
  });
  function answer(url, res) {
    let file = path.join(root, decodeURIComponent(url.pathname));
    if (!file.startsWith(root)) {
      res.writeHead(403).end();
      return;
    }
    if (url.pathname.endsWith('/')) file = path.join(file, 'index.html');
    fs.readFile(file, (err, body) => {
      if (err) {
        res.writeHead(404).end('not found');
        return;
      }
      res.writeHead(200, {
        'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream',
        'Cache-Control': 'no-cache',
      });
      res.end(body);
    });
  }
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}
