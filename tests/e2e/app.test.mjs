// End-to-end tests of the built app (dist/, release build) in headless Chromium,
// against the native CLI (target/release/numberly) for the same options.
// Run: node --test tests/e2e/   (scripts/test.sh builds both first)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serve } from './server.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = path.join(root, 'target', 'release', 'numberly');
const KPIS = {
  'kpi-customers': 'customers',
  'kpi-active': 'active_customers',
  'kpi-conversion': 'customer_conversion',
  'kpi-revenue': 'revenue',
  'kpi-basket': 'average_basket',
  'kpi-sessions': 'sessions',
  'kpi-interaction-conversion': 'interaction_conversion',
};
const CHARTS = ['channels', 'channel-share', 'segments', 'ages', 'daily', 'funnel', 'funnel-channels', 'rfm', 'rfm-grid'];

let server, browser, base, cliOut;

/** Rows of a small CSV file (no quoted fields in the files read here). */
function csvRows(file) {
  const [header, ...rows] = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => l.split(','));
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
}

before(async () => {
  server = await serve(path.join(root, 'dist'));
  base = `http://127.0.0.1:${server.address().port}`;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  cliOut = fs.mkdtempSync(path.join(os.tmpdir(), 'numberly-cli-'));
  execFileSync(cli, ['run', '--seed', '42', '--customers', '1000', '--interactions', '5000', '--out', cliOut, '--quiet']);
});

after(async () => {
  await browser?.close();
  server?.close();
  fs.rmSync(cliOut, { recursive: true, force: true });
});

/** A fresh page on the app, its engine started; `requests` lists every http(s) request. */
async function open(query = '?lang=en') {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1366, height: 768 } });
  const page = await context.newPage();
  const requests = [];
  const errors = [];
  page.on('request', (r) => { if (/^(https?|wss?):/.test(r.url())) requests.push(r.url()); });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(base + '/' + query);
  await page.waitForSelector('[data-testid=status][data-engine=ready]', { timeout: 30_000 });
  return { page, context, requests, errors };
}

async function runAndWait(page, timeout = 60_000) {
  await page.click('[data-testid=run]');
  await page.waitForSelector('[data-testid=status][data-state=done]', { timeout });
}

async function kpiValues(page) {
  const out = {};
  for (const id of Object.keys(KPIS)) out[id] = await page.getAttribute(`[data-testid=${id}]`, 'data-value');
  return out;
}

test('a run at seed 42 shows the KPIs of the CLI', async () => {
  const { page, context, errors } = await open();
  await runAndWait(page);
  const cliKpis = Object.fromEntries(csvRows(path.join(cliOut, 'kpis.csv')).map((r) => [r.metric, r.value]));
  const shown = await kpiValues(page);
  for (const [id, metric] of Object.entries(KPIS)) assert.equal(shown[id], cliKpis[metric], id);
  assert.deepEqual(errors, []);
  await context.close();
});

test('every download is byte-identical to the CLI file', async () => {
  const names = fs.readdirSync(cliOut).sort();
  assert.equal(names.length, 13);
  // Chromium holds back a page's downloads after ten or so: a fresh page every six files.
  for (let start = 0; start < names.length; start += 6) {
    const { page, context } = await open();
    await runAndWait(page);
    await page.waitForSelector('[data-testid=download-manifest][href]');
    for (const name of names.slice(start, start + 6)) {
      const stem = name.replace(/\.[^.]+$/, '');
      const [download] = await Promise.all([page.waitForEvent('download'), page.click(`[data-testid=download-${stem}]`)]);
      const got = fs.readFileSync(await download.path());
      assert.ok(got.equals(fs.readFileSync(path.join(cliOut, name))), `${name} differs from the CLI's`);
    }
    await context.close();
  }
});

test('the zip of everything holds every CLI file, byte for byte', async () => {
  const { page, context } = await open();
  await runAndWait(page);
  await page.waitForSelector('[data-testid=download-all][href]');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=download-all]')]);
  const zip = await download.path();
  const names = fs.readdirSync(cliOut).sort();
  // Python's zipfile checks the CRCs and gives each member back.
  const listing = execFileSync('python3', ['-c',
    'import sys, zipfile, hashlib; z = zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; '
    + 'print("\\n".join(n + " " + hashlib.sha256(z.read(n)).hexdigest() for n in sorted(z.namelist())))', zip]).toString().trim();
  const expected = names.map((n) => {
    const sha = execFileSync('sha256sum', [path.join(cliOut, n)]).toString().split(' ')[0];
    return `${n} ${sha}`;
  }).join('\n');
  assert.equal(listing, expected);
  await context.close();
});

test('the data preview pages and sorts the cleaned data', async () => {
  const { page, context } = await open();
  await runAndWait(page);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=preview] tbody tr').length === 25);
  assert.equal((await page.textContent('[data-testid=preview-page]')).trim(), '1 / 200');
  const amounts = csvRows(path.join(cliOut, 'interactions.csv')).map((r) => Number(r.valeur_achat || 0));
  const max = Math.max(...amounts).toFixed(2);
  await page.click('[data-testid=sort-valeur_achat]');
  await page.click('[data-testid=sort-valeur_achat]');
  await page.waitForFunction((m) => document.querySelector('[data-testid=preview] tbody tr td:nth-child(4)')?.textContent === m, max);
  await page.click('[data-testid=preview-next]');
  await page.waitForFunction(() => document.querySelector('[data-testid=preview-page]').textContent.trim() === '2 / 200');
  await context.close();
});

test('the charts render', async () => {
  const { page, context } = await open();
  await runAndWait(page);
  for (const name of CHARTS) {
    await page.waitForSelector(`[data-testid=chart-${name}] canvas`, { timeout: 10_000 });
  }
  await context.close();
});

test('a channel filter changes the KPIs to the engine values for that filter', async () => {
  const { page, context } = await open();
  await runAndWait(page);
  const before = await kpiValues(page);
  await page.click('[data-testid="filter-channel-SEO"]');
  await page.waitForFunction((b) => document.querySelector('[data-testid=kpi-customers]').dataset.value !== b, before['kpi-customers']);
  const rows = csvRows(path.join(cliOut, 'by_channel.csv')).filter((r) => r.canal_acquisition !== 'SEO');
  const sum = (k) => rows.reduce((a, r) => a + Number(r[k]), 0);
  const shown = await kpiValues(page);
  assert.equal(Number(shown['kpi-customers']), sum('customers'));
  assert.equal(Number(shown['kpi-active']), sum('active_customers'));
  assert.equal(Number(shown['kpi-revenue']).toFixed(2), sum('revenue').toFixed(2));
  await context.close();
});

test('French by default for a French browser, money formatted for the language', async () => {
  const context = await browser.newContext({ locale: 'fr-FR' });
  const page = await context.newPage();
  await page.goto(base + '/');
  await page.waitForSelector('[data-testid=status][data-engine=ready]');
  assert.equal((await page.textContent('[data-testid=run]')).trim(), 'Lancer');
  await runAndWait(page);
  const raw = await page.getAttribute('[data-testid=kpi-revenue]', 'data-value');
  const [euros, cents] = raw.split('.');
  const grouped = euros.replace(/\B(?=(\d{3})+(?!\d))/g, '\u202f');
  assert.equal((await page.textContent('[data-testid=kpi-revenue] .kpi-value')).trim(), `${grouped},${cents}\u00a0€`);
  await page.click('button.lang:not(.active)');
  assert.equal((await page.textContent('[data-testid=kpi-revenue] .kpi-value')).trim(), `€${euros.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${cents}`);
  await context.close();
});

test('bad settings show a message beside the field and disable the run button', async () => {
  const { page, context } = await open();
  await page.fill('[data-testid=input-customers]', '0');
  assert.notEqual((await page.textContent('[data-testid=error-customers]')).trim(), '');
  assert.equal(await page.isDisabled('[data-testid=run]'), true);
  await page.fill('[data-testid=input-customers]', '1000');
  await page.fill('[data-testid=input-to]', '2024-12-01');
  assert.match(await page.textContent('[data-testid=error-to]'), /before/);
  assert.equal(await page.isDisabled('[data-testid=run]'), true);
  await context.close();
});

test('a 1M-interaction run shows progress and never blocks the page for 200 ms', async () => {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  await context.addInitScript(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longTasks.push(e.duration);
    }).observe({ type: 'longtask', buffered: true });
  });
  const page = await context.newPage();
  await page.goto(`${base}/?lang=en&customers=100000&interactions=1000000`);
  await page.waitForSelector('[data-testid=status][data-engine=ready]', { timeout: 30_000 });
  await page.evaluate(() => { window.__longTasks = []; });
  await page.click('[data-testid=run]');
  await page.waitForSelector('[data-testid=progress]', { timeout: 10_000 });
  await page.waitForSelector('[data-testid=status][data-state=done]', { timeout: 180_000 });
  const longTasks = await page.evaluate(() => window.__longTasks);
  const worst = Math.max(0, ...longTasks);
  assert.ok(worst < 200, `main-thread task of ${worst} ms during the run`);
  assert.equal(await page.getAttribute('[data-testid=kpi-customers]', 'data-value'), '100000');
  await context.close();
});

test('a run can be cancelled, and the next run works', async () => {
  const { page, context } = await open('?lang=en&customers=100000&interactions=1000000');
  await page.click('[data-testid=run]');
  await page.waitForSelector('[data-testid=status][data-state=running]');
  await page.click('[data-testid=cancel]');
  await page.waitForSelector('[data-testid=status][data-state=idle]');
  await page.fill('[data-testid=input-customers]', '1000');
  await page.fill('[data-testid=input-interactions]', '5000');
  await page.waitForSelector('[data-testid=status][data-engine=ready]');
  await runAndWait(page);
  const cliKpis = Object.fromEntries(csvRows(path.join(cliOut, 'kpis.csv')).map((r) => [r.metric, r.value]));
  assert.equal(await page.getAttribute('[data-testid=kpi-revenue]', 'data-value'), cliKpis.revenue);
  await context.close();
});

test('the original demo files import and give the CLI numbers', async () => {
  const demo = path.join(root, 'crates', 'core', 'tests', 'fixtures', 'demo');
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'numberly-demo-'));
  execFileSync(cli, ['run', '--clients', path.join(demo, 'clients.csv'), '--interactions',
    path.join(demo, 'donnees_marketing.csv'), '--out', out, '--quiet']);
  const { page, context, requests } = await open();
  const before = requests.length;
  await page.setInputFiles('[data-testid=import-clients]', path.join(demo, 'clients.csv'));
  await page.setInputFiles('[data-testid=import-interactions]', path.join(demo, 'donnees_marketing.csv'));
  await runAndWait(page);
  const cliKpis = Object.fromEntries(csvRows(path.join(out, 'kpis.csv')).map((r) => [r.metric, r.value]));
  const shown = await kpiValues(page);
  for (const [id, metric] of Object.entries(KPIS)) assert.equal(shown[id], cliKpis[metric], id);
  await page.waitForSelector('[data-testid=download-rejects][href]');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=download-rejects]')]);
  assert.ok(fs.readFileSync(await download.path()).equals(fs.readFileSync(path.join(out, 'rejects.csv'))));
  assert.deepEqual(requests.slice(before), [], 'importing sends nothing');
  fs.rmSync(out, { recursive: true, force: true });
  await context.close();
});

test('a file without a required column gets one clear sentence', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'numberly-bad-'));
  fs.writeFileSync(path.join(dir, 'clients.csv'), 'client_id,age,ville,canal_acquisition\nC_0001,40,Lyon,SEO\n');
  fs.writeFileSync(path.join(dir, 'interactions.csv'), 'client_id,type_action,valeur_achat,date\nC_0001,achat,10,2025-01-02\n');
  const { page, context } = await open();
  await page.setInputFiles('[data-testid=import-clients]', path.join(dir, 'clients.csv'));
  await page.setInputFiles('[data-testid=import-interactions]', path.join(dir, 'interactions.csv'));
  await page.click('[data-testid=run]');
  await page.waitForSelector('[data-testid=status][data-state=error]');
  assert.match(await page.textContent('[data-testid=status]'), /clients\.csv: required column `segment` is missing/);
  fs.rmSync(dir, { recursive: true, force: true });
  await context.close();
});

test('after load, running, filtering and downloading make no network request', async () => {
  const { page, context, requests } = await open();
  const loaded = requests.length;
  assert.ok(requests.every((u) => u.startsWith(base)), `only the page's origin: ${requests}`);
  await runAndWait(page);
  await page.click('[data-testid="filter-segment-Premium"]');
  await page.waitForTimeout(500);
  await page.waitForSelector('[data-testid=download-kpis][href]');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=download-kpis]')]);
  await download.path();
  assert.deepEqual(requests.slice(loaded), []);
  await context.close();
});
