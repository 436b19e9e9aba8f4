// Browser timing harness: a full run (generate, clean, metrics, export as Blobs)
// in headless Chromium, timed from the click on Run to the "done" state, beside
// the native CLI; plus the page's time to an engine ready to run, and the size of
// the app's own wasm + JS (ECharts aside), gzipped.
// Usage: node tests/e2e/bench.mjs [customers/interactions ...]   (default 100000/1000000)
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serve } from './server.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = path.join(root, 'dist');
const sizes = process.argv.slice(2).length ? process.argv.slice(2) : ['100000/1000000'];

const own = fs.readdirSync(dist).filter((f) => /\.(js|wasm)$/.test(f) && !f.startsWith('echarts'));
const gz = own.reduce((a, f) => a + zlib.gzipSync(fs.readFileSync(path.join(dist, f)), { level: 9 }).length, 0);
console.log(`app wasm + JS (${own.join(', ')}): ${(gz / 1e6).toFixed(2)} MB gzipped`);

const server = await serve(dist);
const base = `http://127.0.0.1:${server.address().port}`;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
for (const size of sizes) {
  const [customers, interactions] = size.split('/');
  const page = await browser.newPage();
  await page.addInitScript(traceStages);
  const t0 = Date.now();
  await page.goto(`${base}/?lang=en&customers=${customers}&interactions=${interactions}`);
  await page.waitForSelector('[data-testid=status][data-engine=ready]');
  const ready = Date.now() - t0;
  const started = Date.now();
  await page.click('[data-testid=run]');
  await page.waitForSelector('[data-testid=status][data-state=done]', { timeout: 600_000 });
  await page.waitForSelector('[data-testid=download-all][href], [data-testid=download-manifest][href]', { timeout: 600_000 });
  const browserSeconds = (Date.now() - started) / 1000;
  const stages = await page.evaluate(() => window.__stages);
  await page.close();
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'numberly-bench-'));
  const c0 = Date.now();
  execFileSync(path.join(root, 'target', 'release', 'numberly'),
    ['run', '--customers', customers, '--interactions', interactions, '--out', out, '--quiet']);
  const nativeSeconds = (Date.now() - c0) / 1000;
  fs.rmSync(out, { recursive: true, force: true });
  console.log(`${size}: page ready ${ready} ms; browser run ${browserSeconds.toFixed(2)} s; native CLI ${nativeSeconds.toFixed(2)} s; ratio ${(browserSeconds / nativeSeconds).toFixed(2)}`);
  console.log(`  by stage: ${split(stages)}`);
}
await browser.close();
server.close();

/** In the page: the time each message kind of the engine first arrives (progress by stage, then the files). */
function traceStages() {
  window.__stages = [];
  const Native = window.Worker;
  window.Worker = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (e) => {
        let kind = null;
        if (typeof e.data === 'string') {
          const m = /^\{"(\w+)"(?::\{"stage":"(\w+)","fraction":([\d.e-]+))?/.exec(e.data);
          // The export's data files are written at 0.95; the digests of the last ones follow.
          if (m) kind = m[2] === 'export' && Number(m[3]) >= 0.95 ? 'digests' : (m[2] ?? m[1]);
        } else if (Array.isArray(e.data)) {
          kind = 'files';
        }
        const seen = window.__stages;
        if (kind && kind !== 'preview' && (!seen.length || seen[seen.length - 1][0] !== kind)) {
          seen.push([kind, performance.now()]);
        }
      });
    }
  };
}

/** "generate 3.0 s, clean 6.6 s, …": from each stage's first message to the next one's. */
function split(stages) {
  const parts = [];
  for (let i = 0; i + 1 < stages.length; i++) {
    parts.push(`${stages[i][0]} ${((stages[i + 1][1] - stages[i][1]) / 1000).toFixed(2)} s`);
  }
  if (stages.length) parts.push(`then ${stages[stages.length - 1][0]}`);
  return parts.join(', ');
}
