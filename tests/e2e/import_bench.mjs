// Import timing harness: uploads a clients file and an interactions file through
// the page (the interactions file is read by the worker slice by slice), times
// from the click on Run to the downloads being ready, samples the renderer
// processes' resident memory, and checks the KPIs against `numberly run` on the
// same files.
// Usage: node tests/e2e/import_bench.mjs CLIENTS.csv INTERACTIONS.csv
//   e.g. after `numberly generate --customers 1000000 --interactions 8500000 --out /tmp/big`
//   (a 515 MB interactions file).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serve } from './server.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const [clients, interactions] = process.argv.slice(2);
if (!clients || !interactions) {
  console.error('usage: node tests/e2e/import_bench.mjs CLIENTS.csv INTERACTIONS.csv');
  process.exit(2);
}
const mb = (f) => (fs.statSync(f).size / 1e6).toFixed(0);
console.log(`clients ${mb(clients)} MB, interactions ${mb(interactions)} MB`);

/** The largest resident set of Chromium's renderer processes (the page and its workers), in MB. */
function rendererRss() {
  const lines = execFileSync('ps', ['-eo', 'rss=,args=']).toString().split('\n');
  return Math.max(0, ...lines.filter((l) => l.includes('--type=renderer')).map((l) => parseInt(l, 10) / 1024));
}

const server = await serve(path.join(root, 'dist'));
const base = `http://127.0.0.1:${server.address().port}`;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
const page = await browser.newPage();
const errors = [];
page.on('pageerror', (e) => errors.push(e.message));
await page.goto(`${base}/?lang=en`);
await page.waitForSelector('[data-testid=status][data-engine=ready]');
await page.setInputFiles('[data-testid=import-clients]', clients);
await page.setInputFiles('[data-testid=import-interactions]', interactions);
await page.waitForSelector('[data-testid=mapping-interactions]');
let peak = 0;
const sampler = setInterval(() => { peak = Math.max(peak, rendererRss()); }, 250);
const started = Date.now();
await page.click('[data-testid=run]');
await page.waitForSelector('[data-testid=status]:is([data-state=done], [data-state=error])', { timeout: 1_200_000 });
const state = await page.getAttribute('[data-testid=status]', 'data-state');
if (state === 'error') {
  console.log(`error: ${await page.textContent('[data-testid=status]')}`);
} else {
  await page.waitForSelector('[data-testid=download-manifest][href]', { timeout: 1_200_000 });
}
const seconds = (Date.now() - started) / 1000;
clearInterval(sampler);
const shown = await page.getAttribute('[data-testid=kpi-sessions]', 'data-value');
const customers = await page.getAttribute('[data-testid=kpi-customers]', 'data-value');
await browser.close();
server.close();

const out = fs.mkdtempSync(path.join(os.tmpdir(), 'numberly-import-'));
const c0 = Date.now();
execFileSync(path.join(root, 'target', 'release', 'numberly'),
  ['run', '--clients', clients, '--interactions', interactions, '--out', out, '--quiet']);
const native = (Date.now() - c0) / 1000;
const kpis = Object.fromEntries(fs.readFileSync(path.join(out, 'kpis.csv'), 'utf8').trim().split('\n').slice(1)
  .map((l) => l.split(',')));
fs.rmSync(out, { recursive: true, force: true });
console.log(`browser import ${seconds.toFixed(1)} s (state ${state}), renderer peak RSS ${peak.toFixed(0)} MB; `
  + `native CLI ${native.toFixed(1)} s; customers ${customers} (CLI ${kpis.customers}), sessions ${shown} (CLI ${kpis.sessions}); `
  + `page errors: ${errors.length}`);
