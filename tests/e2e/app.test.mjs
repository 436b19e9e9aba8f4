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

/** A fresh page on the app (served from `from`), its engine started; `requests` lists every http(s) request. */
async function open(query = '?lang=en', from = base) {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1366, height: 768 } });
  const page = await context.newPage();
  const requests = [];
  const errors = [];
  page.on('request', (r) => { if (/^(https?|wss?):/.test(r.url())) requests.push(r.url()); });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(from + '/' + query);
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
  // Python's zipfile checks the CRCs and gives each member back.
  assert.equal(zipDigests(await download.path()), dirDigests(cliOut));
  await context.close();
});

test('an Excel (FR) copy of a file: byte order mark, semicolons, decimal commas', async () => {
  const { page, context } = await open();
  await runAndWait(page);
  await page.waitForSelector('[data-testid=download-by_channel][href]');
  for (const stem of ['kpis', 'by_channel']) {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click(`[data-testid=excel-${stem}]`)]);
    assert.equal(download.suggestedFilename(), `${stem}_excel_fr.csv`);
    const bytes = fs.readFileSync(await download.path());
    const lines = fs.readFileSync(path.join(cliOut, `${stem}.csv`), 'utf8').trim().split('\n');
    // (Their only true/false cells are those of `suppressed`: VRAI/FAUX for French Excel.)
    const french = (c) => ({ true: 'VRAI', false: 'FAUX' })[c] ?? (/^-?\d+\.\d+$/.test(c) ? c.replace('.', ',') : c);
    const expected = lines.map((l) => l.split(',').map(french).join(';'));
    assert.equal(bytes.subarray(0, 3).toString('hex'), 'efbbbf');
    assert.equal(bytes.subarray(3).toString('utf8'), expected.join('\r\n') + '\r\n', stem);
  }
  await context.close();
});

test('when the digest worker cannot load, the engine computes the digests itself', async () => {
  const missing = await serve(path.join(root, 'dist'), 0, { refuse: ['/digest_boot.js'] });
  const { page, context, errors } = await open('?lang=en', `http://127.0.0.1:${missing.address().port}`);
  await page.click('[data-testid=run]');
  const status = '[data-testid=status]';
  await page.waitForSelector(`${status}[data-state=done], ${status}[data-state=error]`, { timeout: 60_000 });
  // The failed load is seen before the run, or during its export: then the page says so, and a new run works.
  if ((await page.getAttribute(status, 'data-state')) === 'error') {
    assert.match(await page.innerText('body'), /could not compute the files' checksums/);
    await runAndWait(page);
  }
  assert.ok(missing.refused >= 1, 'the digest worker\'s script was asked for, and refused');
  await page.waitForSelector('[data-testid=download-all][href]');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=download-all]')]);
  assert.equal(zipDigests(await download.path()), dirDigests(cliOut));
  assert.deepEqual(errors, []);
  await context.close();
  missing.close();
});

test('the data preview pages and sorts the cleaned data', async () => {
  const { page, context } = await open();
  await runAndWait(page);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=preview] tbody tr').length === 25);
  assert.equal((await page.textContent('[data-testid=preview-page]')).trim(), '1 / 200');
  const amounts = csvRows(path.join(cliOut, 'interactions.csv')).map((r) => Number(r.valeur_achat || 0));
  // (As the English page writes it: thousands grouped.)
  const max = Math.max(...amounts).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  await page.click('[data-testid=sort-valeur_achat]');
  await page.click('[data-testid=sort-valeur_achat]');
  await page.waitForFunction((m) => document.querySelector('[data-testid=preview] tbody tr td:nth-child(4)')?.textContent === m, max);
  await page.click('[data-testid=preview-next]');
  await page.waitForFunction(() => document.querySelector('[data-testid=preview-page]').textContent.trim() === '2 / 200');
  await context.close();
});

test('a run that keeps no interaction says so in the preview', async () => {
  const { page, context, errors } = await open('?lang=en&interactions=0');
  await runAndWait(page);
  assert.equal((await page.textContent('[data-testid=preview-empty]')).trim(), 'No interaction kept.');
  assert.equal((await page.textContent('[data-testid=preview-page]')).trim(), '1 / 1');
  assert.equal(await page.getAttribute('[data-testid=kpi-customers]', 'data-value'), '1000');
  assert.deepEqual(errors, []);
  await context.close();
});

test('the charts render, and their tooltips are not blocked by the page\'s CSP', async () => {
  const { page, context } = await open();
  const blocked = [];
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) blocked.push(m.text()); });
  await runAndWait(page);
  for (const name of CHARTS) {
    await page.waitForSelector(`[data-testid=chart-${name}] canvas`, { timeout: 10_000 });
  }
  // ECharts writes each tooltip as HTML with inline style attributes (the colour
  // marker, the gap between name and value).
  const chart = page.locator('[data-testid=chart-channels] canvas').first();
  await chart.scrollIntoViewIfNeeded();
  const box = await chart.boundingBox();
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.6);
  const marker = page.locator('[data-testid=chart-channels] div span[style*="border-radius"]').first();
  await marker.waitFor({ timeout: 5_000 });
  const width = await marker.evaluate((e) => e.getBoundingClientRect().width);
  assert.ok(width > 0, 'the colour marker of the tooltip has a size');
  assert.deepEqual(blocked, []);
  // A narrower window, then a phone's (a laptop's window narrowed, a phone turned):
  // every chart follows its box, and the boxes the window (the charts once kept the
  // width they were drawn at, and the page scrolled sideways).
  for (const width of [600, 390]) {
    await page.setViewportSize({ width, height: 768 });
    await page.waitForFunction(([names, width]) => document.documentElement.scrollWidth <= width && names.every((n) => {
      const box = document.querySelector(`[data-testid=chart-${n}]`);
      const canvas = box?.querySelector('canvas');
      return canvas && Math.abs(canvas.getBoundingClientRect().width - box.clientWidth) <= 2
        && box.getBoundingClientRect().right <= width;
    }), [CHARTS, width], { timeout: 5_000 });
  }
  // The document's language and title are the page's (English here).
  assert.deepEqual(await page.evaluate(() => [document.documentElement.lang, document.title]),
    ['en', 'Numberly — marketing analytics in your browser']);
  await context.close();
});

test('in French, the charts write numbers the French way', async () => {
  const { page, context, errors } = await open('?lang=fr');
  await runAndWait(page);
  assert.deepEqual(await page.evaluate(() => [document.documentElement.lang, document.title]),
    ['fr', 'Numberly — analyse marketing dans votre navigateur']);
  // A chart is an image to a screen reader, named by its title in the page's language.
  await page.waitForFunction(() => document.querySelector('[data-testid=chart-channel-share]')?.getAttribute('aria-label') === 'Clients par canal');
  assert.equal(await page.getAttribute('[data-testid=chart-channel-share]', 'role'), 'img');
  const chart = page.locator('[data-testid=chart-channels] canvas').first();
  await chart.scrollIntoViewIfNeeded();
  const box = await chart.boundingBox();
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.6);
  // The tooltip is the chart's only text.
  const tip = await page.waitForFunction(() => {
    const text = document.querySelector('[data-testid=chart-channels]').innerText;
    return /Chiffre d'affaires/.test(text) && text;
  }, null, { timeout: 5_000 });
  const text = await tip.jsonValue();
  // `161 564,27`: a narrow no-break space between thousands, a decimal comma, the
  // decimals the amount has.
  const french = (x) => {
    const h = Math.round(x * 100);
    const whole = String(Math.floor(h / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, '\u202f');
    const f = h % 100;
    return whole + (f === 0 ? '' : f % 10 === 0 ? `,${f / 10}` : `,${String(f).padStart(2, '0')}`);
  };
  const shown = csvRows(path.join(cliOut, 'by_channel.csv')).filter((r) => text.includes(r.canal_acquisition));
  assert.equal(shown.length, 1, text);
  assert.ok(text.includes(french(Number(shown[0].revenue))), `${french(Number(shown[0].revenue))} in ${text}`);
  assert.doesNotMatch(text, /\d,\d{3}\b|\d\.\d/, 'no English number');
  // The daily tooltip: the day once, then the four series in one order, whichever of
  // its two plot areas is hovered (ECharts would list the hovered one's first).
  const daily = page.locator('[data-testid=chart-daily] canvas').first();
  await daily.scrollIntoViewIfNeeded();
  const area = await daily.boundingBox();
  // (Another day in each area, so the second tooltip is a new one.)
  let before = null;
  for (const [x, y] of [[0.3, 150], [0.7, 330]]) {
    await page.mouse.move(area.x + area.width * x, area.y + y);
    const tip = await (await page.waitForFunction((old) => {
      const t = document.querySelector('[data-testid=chart-daily]').innerText;
      return /Acheteurs/.test(t) && t !== old && t;
    }, before, { timeout: 5_000 })).jsonValue();
    before = tip;
    const at = ['Interactions', "Chiffre d'affaires", 'Achats', 'Acheteurs'].map((n) => tip.indexOf(n));
    assert.ok(at.every((p, i) => p >= 0 && (i === 0 || p > at[i - 1])), tip);
    assert.equal((tip.match(/\d{2}\/\d{2}\/2025/g) ?? []).length, 1, tip);
    assert.match(tip, /\d,\d{2}\u00a0€/, tip);
  }
  assert.deepEqual(errors, []);
  await context.close();
});

test('each chart\'s figures open from the keyboard as a table of the engine\'s numbers', async () => {
  const { page, context, errors } = await open();
  await runAndWait(page);
  /** The table under chart `name`, opened with the keyboard if closed: its header and body cells. */
  const table = async (name) => {
    if (!await page.evaluate((n) => document.querySelector(`[data-testid=data-${n}]`).open, name)) {
      await page.focus(`[data-testid=data-${name}] summary`);
      await page.keyboard.press('Enter');
    }
    await page.waitForSelector(`[data-testid=data-${name}] table tbody tr`, { timeout: 5_000 });
    return page.evaluate((n) => {
      const t = document.querySelector(`[data-testid=data-${n}] table`);
      const cells = (tr) => [...tr.children].map((c) => c.textContent);
      return { head: cells(t.tHead.rows[0]), rows: [...t.tBodies[0].rows].map(cells), caption: t.caption.textContent };
    }, name);
  };
  for (const name of CHARTS) {
    const t = await table(name);
    assert.ok(t.caption.length > 0 && t.rows.length > 0, name);
    assert.ok(t.rows.every((r) => r.length === t.head.length), name);
  }
  const money = (x) => Number(x).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const channels = csvRows(path.join(cliOut, 'by_channel.csv'));
  const perf = await table('channels');
  assert.deepEqual(perf.head, ['Channel', 'Customer conversion (%)', 'Revenue (€)']);
  assert.deepEqual(perf.rows.map((r) => [r[0], r[2]]), channels.map((c) => [c.canal_acquisition, money(c.revenue)]));
  const share = await table('channel-share');
  assert.deepEqual(share.rows.map((r) => [r[0], r[1]]), channels.map((c) => [c.canal_acquisition, Number(c.customers).toLocaleString('en-US')]));
  const all = csvRows(path.join(cliOut, 'funnel.csv')).find((r) => r.canal_acquisition === 'all');
  const funnel = await table('funnel');
  assert.deepEqual(funnel.rows.map((r) => r[1]), [all.sessions_view, all.sessions_cart, all.sessions_purchase].map((n) => Number(n).toLocaleString('en-US')));
  const days = csvRows(path.join(cliOut, 'daily.csv'));
  const daily = await table('daily');
  assert.deepEqual(daily.rows.map((r) => r[0]), days.map((d) => d.date));
  // The grid as drawn: R 5 at the top, F 1 to F 5 across.
  const grid = await table('rfm-grid');
  assert.deepEqual(grid.head, ['R × F', 'F\u00a01', 'F\u00a02', 'F\u00a03', 'F\u00a04', 'F\u00a05']);
  assert.deepEqual(grid.rows.map((r) => r[0]), ['R\u00a05', 'R\u00a04', 'R\u00a03', 'R\u00a02', 'R\u00a01']);
  const rfm = csvRows(path.join(cliOut, 'rfm.csv')).filter((r) => Number(r.frequency) > 0);
  const count = (r, f) => rfm.filter((c) => c.r === String(r) && c.f === String(f)).length;
  assert.deepEqual(grid.rows.map((row, k) => row.slice(1).map(Number)),
    [5, 4, 3, 2, 1].map((r) => [1, 2, 3, 4, 5].map((f) => count(r, f))));
  // Each box is named by its chart too, for a screen reader's list of controls.
  const cdp = await context.newCDPSession(page);
  const names = (await cdp.send('Accessibility.getFullAXTree')).nodes
    .filter((n) => n.role?.value === 'DisclosureTriangle').map((n) => n.name?.value);
  assert.equal(names.length, CHARTS.length, names.join(' | '));
  assert.ok(names.includes("The chart's figures Performance by channel"), names.join(' | '));
  // An open table follows the language.
  await page.click('button.lang:not(.active)');
  await page.waitForFunction(() => document.querySelector('[data-testid=data-channels] th')?.textContent === 'Canal');
  const french = await table('channels');
  const euros = (x) => money(x).replace(/,/g, '\u202f').replace('.', ',');
  assert.deepEqual(french.rows.map((r) => r[2]), channels.map((c) => euros(c.revenue)));
  // The chart saved as an image from the keyboard, as its toolbox's button (in the canvas) saves it.
  await page.waitForFunction(() => document.querySelector('[data-testid=chart-channels]').getAttribute('aria-label') === 'Performance par canal');
  await page.focus('[data-testid=save-channels]');
  const [png] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
  assert.equal(png.suggestedFilename(), 'Performance par canal.png');
  const bytes = fs.readFileSync(await png.path());
  assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG');
  assert.ok(bytes.length > 10_000, `${bytes.length} bytes`);
  // Closed again, the box shows no table.
  await page.focus('[data-testid=data-daily] summary');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => !document.querySelector('[data-testid=data-daily] table'));
  assert.deepEqual(errors, []);
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
  // A period that ends before it starts is refused with a message, the views kept.
  assert.equal(await page.textContent('[data-testid=error-filter-period]'), '');
  await page.fill('[data-testid=filter-to]', '2025-01-15');
  await page.waitForFunction((b) => document.querySelector('[data-testid=kpi-active]').dataset.value !== b, shown['kpi-active']);
  await page.fill('[data-testid=filter-from]', '2025-02-01');
  await page.waitForFunction(() => document.querySelector('[data-testid=error-filter-period]').textContent !== '');
  const to15 = await kpiValues(page);
  await page.waitForTimeout(300);
  assert.deepEqual(await kpiValues(page), to15, 'nothing applied');
  await page.fill('[data-testid=filter-from]', '2025-01-10');
  await page.waitForFunction(() => document.querySelector('[data-testid=error-filter-period]').textContent === '');
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
  // The period's problem goes under the day just edited.
  await page.fill('[data-testid=input-to]', '2025-03-31');
  await page.fill('[data-testid=input-from]', '2025-06-01');
  assert.match(await page.textContent('[data-testid=error-from]'), /before/);
  assert.equal((await page.textContent('[data-testid=error-to]')).trim(), '');
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
  const { page, context } = await open('?lang=en&customers=1000&interactions=5000');
  await runAndWait(page);
  await page.fill('[data-testid=input-customers]', '100000');
  await page.fill('[data-testid=input-interactions]', '1000000');
  await page.click('[data-testid=run]');
  await page.waitForSelector('[data-testid=status][data-state=running]');
  await page.click('[data-testid=cancel]');
  await page.waitForSelector('[data-testid=status][data-state=cancelled]');
  assert.match(await page.textContent('[data-testid=status]'), /^Cancelled\. Nothing is shown until the next run\./);
  // Nothing of a result the engine no longer holds stays on screen.
  await page.waitForSelector('[data-testid=waiting-hint]');
  await page.fill('[data-testid=input-customers]', '1000');
  await page.fill('[data-testid=input-interactions]', '5000');
  await page.waitForSelector('[data-testid=status][data-engine=ready]');
  await runAndWait(page);
  const cliKpis = Object.fromEntries(csvRows(path.join(cliOut, 'kpis.csv')).map((r) => [r.metric, r.value]));
  assert.equal(await page.getAttribute('[data-testid=kpi-revenue]', 'data-value'), cliKpis.revenue);
  // An export under new privacy options, cancelled: the engine that held the data
  // is gone, and so is everything made of them.
  await page.fill('[data-testid=input-customers]', '100000');
  await page.fill('[data-testid=input-interactions]', '1000000');
  await runAndWait(page);
  await page.check('[data-testid=privacy-age-bands]');
  await page.click('[data-testid=privacy-apply]');
  await page.waitForSelector('[data-testid=status][data-state=running]');
  await page.click('[data-testid=cancel]');
  await page.waitForSelector('[data-testid=status][data-state=cancelled]');
  await page.waitForSelector('[data-testid=waiting-hint]');
  assert.equal(await page.$('[data-testid=download-all][href]'), null);
  assert.ok(await page.isDisabled('[data-testid=privacy-apply]'));
  await context.close();
});

/** The text of a download, by test id stem. */
async function downloadText(page, stem) {
  await page.waitForSelector(`[data-testid=download-${stem}][href]`);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(`[data-testid=download-${stem}]`)]);
  return fs.readFileSync(await download.path(), 'utf8');
}

/** name → sha256 of every member of a zip. */
function zipDigests(zip) {
  const out = execFileSync('python3', ['-c',
    'import sys, zipfile, hashlib; z = zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; '
    + 'print("\\n".join(n + " " + hashlib.sha256(z.read(n)).hexdigest() for n in sorted(z.namelist())))', zip]).toString().trim();
  return out;
}

function dirDigests(dir) {
  return fs.readdirSync(dir).sort().map((n) => {
    const sha = execFileSync('sha256sum', [path.join(dir, n)]).toString().split(' ')[0];
    return `${n} ${sha}`;
  }).join('\n');
}

/** Picks the two files and waits for the engine to describe their columns. */
/** Drops `files` ({ name, text }) on the import area, as a user drags them there. */
async function dropFiles(page, files) {
  const transfer = await page.evaluateHandle((list) => {
    const dt = new DataTransfer();
    for (const f of list) dt.items.add(new File([f.text], f.name, { type: 'text/csv' }));
    return dt;
  }, files);
  await page.dispatchEvent('[data-testid=import-drop]', 'drop', { dataTransfer: transfer });
}

async function pickFiles(page, clients, interactions) {
  await page.setInputFiles('[data-testid=import-clients]', clients);
  await page.waitForSelector('[data-testid=mapping-clients]');
  await page.setInputFiles('[data-testid=import-interactions]', interactions);
  await page.waitForSelector('[data-testid=mapping-interactions]');
}

const PASSPHRASE = 'correct horse battery staple';

test('the original demo files import, with a passphrase, into the same bytes as the CLI', async () => {
  const demo = path.join(root, 'crates', 'core', 'tests', 'fixtures', 'demo');
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'numberly-demo-'));
  execFileSync(cli, ['run', '--clients', path.join(demo, 'clients.csv'), '--interactions',
    path.join(demo, 'donnees_marketing.csv'), '--out', out, '--quiet'],
  { env: { ...process.env, NUMBERLY_PASSPHRASE: PASSPHRASE } });
  const { page, context, requests } = await open();
  const before = requests.length;
  await pickFiles(page, path.join(demo, 'clients.csv'), path.join(demo, 'donnees_marketing.csv'));
  await page.fill('[data-testid=privacy-passphrase]', PASSPHRASE);
  await runAndWait(page);
  const cliKpis = Object.fromEntries(csvRows(path.join(out, 'kpis.csv')).map((r) => [r.metric, r.value]));
  const shown = await kpiValues(page);
  for (const [id, metric] of Object.entries(KPIS)) assert.equal(shown[id], cliKpis[metric], id);
  // read = kept + rejected, on screen, per file.
  const counts = await page.$$eval('[data-testid=quality] tbody tr', (rows) => rows.slice(0, 2).map(
    (r) => [...r.querySelectorAll('td.num')].map((td) => Number(td.textContent.replace(/\D/g, '')))));
  for (const [read, kept, rejected] of counts) assert.equal(read, kept + rejected);
  assert.equal(await page.getAttribute('[data-testid=privacy-pseudonyms]', 'data-state'), 'on');
  await page.waitForSelector('[data-testid=download-all][href]');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=download-all]')]);
  assert.equal(zipDigests(await download.path()), dirDigests(out), 'every file equals the CLI\'s');
  // Pseudonyms: none is a raw id, and every file uses the same ones.
  const raw = new Set(csvRows(path.join(demo, 'clients.csv')).map((r) => r.client_id));
  const clients = csvRows(path.join(out, 'clients.csv')).map((r) => r.client_id);
  assert.ok(clients.length > 0 && clients.every((id) => /^P_[0-9a-f]{20}$/.test(id) && !raw.has(id)), clients.join());
  const known = new Set(clients);
  for (const [file, col] of [['interactions.csv', 'client_id'], ['rfm.csv', 'client_id']]) {
    const ids = csvRows(path.join(out, file)).map((r) => r[col]);
    assert.ok(ids.length > 0 && ids.every((id) => known.has(id)), `${file} uses the clients' pseudonyms`);
  }
  assert.deepEqual(requests.slice(before), [], 'importing sends nothing');
  fs.rmSync(out, { recursive: true, force: true });
  await context.close();
});

test('a crafted file: identifiers dropped, k-anonymity reported and enforced, payloads inert, nothing sent', async () => {
  const dir = path.join(root, 'tests', 'e2e', 'fixtures', 'crafted');
  const { page, context, requests, errors } = await open();
  const dialogs = [];
  page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss(); });
  const before = requests.length;
  await pickFiles(page, path.join(dir, 'clients.csv'), path.join(dir, 'interactions.csv'));
  // The mapping panel marks the identifier columns as dropped.
  const mapping = await page.textContent('[data-testid=mapping-clients]');
  assert.match(mapping, /email[\s\S]*dropped/);
  assert.match(mapping, /telephone[\s\S]*dropped/);
  await page.fill('[data-testid=privacy-passphrase]', PASSPHRASE);
  await runAndWait(page);
  assert.equal(await page.getAttribute('[data-testid=privacy-dropped]', 'data-count'), '2');
  const k = await page.$eval('[data-testid=privacy-k-report]', (e) => ({ ...e.dataset }));
  assert.deepEqual([k.k, k.smallest, k.below, k.groupsBelow], ['5', '1', '4', '4']);
  assert.ok(Number(await page.getAttribute('[data-testid=privacy-suppressed]', 'data-total')) > 0);
  const byChannel = await downloadText(page, 'by_channel');
  assert.match(byChannel, /^SEO,6,6,6,.*,false$/m);
  assert.match(byChannel, /^Email,,,,,,,,,,true$/m, 'two customers: blanked and flagged');
  const clients = await downloadText(page, 'clients');
  assert.ok(!/example\.fr|06 10 00/.test(clients), 'no email or phone in clients.csv');
  assert.match(clients, /"'=HYPERLINK\(/, 'the formula is defused');
  const interactions = await downloadText(page, 'interactions');
  assert.match(interactions, /^'@SUM\(1\+1\),/m);
  // A k that is not a whole number of 1 or more is said so, and cannot be applied.
  for (const bad of ['0', '', '-2']) {
    await page.fill('[data-testid=privacy-k]', bad);
    assert.notEqual(await page.textContent('[data-testid=error-privacy-k]'), '', `k = "${bad}"`);
    assert.ok(await page.isDisabled('[data-testid=privacy-apply]'), `k = "${bad}"`);
    assert.ok(await page.isDisabled('[data-testid=run]'), `no run with k = "${bad}"`);
  }
  await page.fill('[data-testid=privacy-k]', '5');
  assert.equal(await page.textContent('[data-testid=error-privacy-k]'), '');
  assert.ok(!(await page.isDisabled('[data-testid=run]')), 'a valid k lets runs go');
  // Generalise and keep consenting customers only, then export again.
  await page.check('[data-testid=privacy-age-bands]');
  await page.check('[data-testid=privacy-departement]');
  await page.check('[data-testid=privacy-consent-only]');
  await page.click('[data-testid=privacy-apply]');
  await page.waitForSelector('[data-testid=privacy-consent][data-left-out="3"]');
  await page.waitForSelector('[data-testid=status][data-state=done]');
  const k2 = await page.$eval('[data-testid=privacy-k-report]', (e) => ({ ...e.dataset }));
  // Consenting customers only: K01, K03, K05 (30 → 25-34), K07 and K08 (45-54), K09, K10.
  assert.deepEqual([k2.smallest, k2.below, k2.groupsBelow], ['1', '7', '4']);
  const general = csvRows(await (async () => {
    const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'numberly-gen-')), 'clients.csv');
    fs.writeFileSync(f, await downloadText(page, 'clients'));
    return f;
  })());
  assert.equal(general.length, 7, 'three customers without consent left out');
  assert.ok(general.every((r) => r.ville === '' && r.code_postal === '' && /^(\d+-\d+|65\+)$/.test(r.age)), JSON.stringify(general));
  // Markup in cells and rejects is shown as text, never run.
  await page.click('[data-testid=sort-ville]');
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=preview] td')]
    .some((td) => td.textContent.includes('<img src=x')));
  const ids = await page.$$eval('[data-testid=preview] tbody tr', (rows) => rows.map((r) => r.children[1].textContent));
  assert.ok(ids.length > 0 && ids.every((id) => /^P_[0-9a-f]{20}$/.test(id)), `pseudonyms on screen too: ${ids}`);
  assert.ok((await page.textContent('[data-testid=rejects]')).includes('<script>window.__xss=2</script>'));
  assert.equal(await page.$$eval('[data-testid=preview] img, [data-testid=quality] script', (n) => n.length), 0);
  assert.equal(await page.evaluate(() => window.__xss), undefined);
  assert.deepEqual(dialogs, []);
  assert.deepEqual(errors, []);
  assert.deepEqual(requests.slice(before), [], 'import, run, privacy and downloads send nothing');
  await context.close();
});

test('files dropped on the page are taken by name, and filters work on imported data', async () => {
  const demo = path.join(root, 'crates', 'core', 'tests', 'fixtures', 'demo');
  const { page, context, requests } = await open();
  const before = requests.length;
  const files = [['donnees_marketing.csv'], ['clients.csv']].map(([name]) => ({
    name, text: fs.readFileSync(path.join(demo, name), 'utf8'),
  }));
  // The interactions file first: the names decide which is which.
  await dropFiles(page, files);
  await page.waitForSelector('[data-testid=mapping-clients]');
  await page.waitForSelector('[data-testid=mapping-interactions]');
  assert.equal(await page.$eval('[data-testid=import-clients]', (i) => i.files[0]?.name), 'clients.csv');
  assert.equal(await page.$eval('[data-testid=import-interactions]', (i) => i.files[0]?.name), 'donnees_marketing.csv');
  await runAndWait(page);
  assert.equal(await page.getAttribute('[data-testid=kpi-customers]', 'data-value'), '12');
  // Unticking Premium leaves the other customers.
  const others = csvRows(path.join(demo, 'clients.csv')).filter((r) => r.segment !== 'Premium').length;
  await page.click('[data-testid="filter-segment-Premium"]');
  await page.waitForSelector(`[data-testid=kpi-customers][data-value="${others}"]`);
  assert.deepEqual(requests.slice(before), [], 'dropping, running and filtering send nothing');
  // Back to sample data: the files are forgotten and a run generates again.
  await page.click('[data-testid=import-clear]');
  await page.waitForSelector('[data-testid=mapping-clients]', { state: 'detached' });
  assert.equal(await page.textContent('[data-testid=import-mode]'), 'Run generates sample data.');
  assert.equal(await page.$eval('[data-testid=import-clients]', (i) => i.files.length), 0);
  await runAndWait(page);
  assert.equal(await page.getAttribute('[data-testid=kpi-customers]', 'data-value'), '1000');
  await context.close();
});

test('two files given the other way round are put back in place, and a third dropped file is said left out', async () => {
  const demo = path.join(root, 'crates', 'core', 'tests', 'fixtures', 'demo');
  const { page, context } = await open();
  const drop = (list) => dropFiles(page, list.map(([from, name]) => ({
    name, text: from.includes('\n') ? from : fs.readFileSync(path.join(demo, from), 'utf8'),
  })));
  await drop([['clients.csv', 'clients.csv'], ['donnees_marketing.csv', 'donnees_marketing.csv'], ['clients.csv', 'extra.csv']]);
  await page.waitForSelector('[data-testid=mapping-interactions]');
  assert.equal(await page.textContent('[data-testid=import-notice]'), 'Only two files are read (clients and interactions): extra.csv left out.');
  // Names that do not tell, the interactions first: each looks like the other kind,
  // so they are put back in place, and the page says so.
  const interactions = 'interaction_id,client_id,type_action,valeur_achat,date\nI1,C_0001,achat,10,2024-03-01 09:00:00\n';
  await drop([[interactions, 'a.csv'], ['clients.csv', 'b.csv']]);
  await page.waitForFunction(() => document.querySelector('[data-testid=import-clients]').files[0]?.name === 'b.csv');
  assert.equal(await page.$eval('[data-testid=import-interactions]', (i) => i.files[0]?.name), 'a.csv');
  await page.waitForSelector('[data-testid=mapping-clients]');
  await page.waitForSelector('[data-testid=mapping-interactions]');
  assert.equal(await page.textContent('[data-testid=import-notice]'),
    'The two files were the other way round: the clients and interactions files were put back in place.');
  assert.equal(await page.$('[data-testid=import-error-0]'), null);
  assert.equal(await page.$('[data-testid=import-error-1]'), null);
  await runAndWait(page);
  assert.equal(await page.getAttribute('[data-testid=kpi-customers]', 'data-value'), '12');
  await context.close();
});

test('columns with unknown names can be mapped by hand', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'numberly-map-'));
  fs.writeFileSync(path.join(dir, 'kunden.csv'), 'Kunde,age,segment,canal,Notiz\nX1,40,Premium,SEO,a\nX2,33,Basique,Email,b\n');
  fs.writeFileSync(path.join(dir, 'events.csv'), 'Kunde,action,montant,date\nX1,achat,10,2025-01-02\nX2,page_vue,,2025-01-03\n');
  const { page, context } = await open();
  await pickFiles(page, path.join(dir, 'kunden.csv'), path.join(dir, 'events.csv'));
  await page.waitForSelector('[data-testid=import-error-0]');
  assert.match(await page.textContent('[data-testid=import-error-0]'), /the required column client_id is missing.*"Clients file columns"/);
  assert.ok(await page.isDisabled('[data-testid=run]'), 'no run while a file is unusable');
  await page.selectOption('[data-testid="map-0-Kunde"]', 'client_id');
  await page.selectOption('[data-testid="map-1-Kunde"]', 'client_id');
  // Each file is inspected again by the worker, one answer after the other.
  await page.waitForSelector('[data-testid=import-error-0]', { state: 'detached' });
  await page.waitForSelector('[data-testid=import-error-1]', { state: 'detached' });
  assert.equal(await page.$eval('[data-testid="map-0-Notiz"]', (s) => s.value), '', 'unknown columns are ignored');
  await runAndWait(page);
  assert.equal(await page.getAttribute('[data-testid=kpi-customers]', 'data-value'), '2');
  assert.match(await page.textContent('[data-testid=privacy-ignored]'), /Notiz/);
  fs.rmSync(dir, { recursive: true, force: true });
  await context.close();
});

test('files that are not CSV get one sentence, and a file too large for the tab is refused', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'numberly-junk-'));
  const demo = path.join(root, 'crates', 'core', 'tests', 'fixtures', 'demo');
  fs.writeFileSync(path.join(dir, 'photo.csv'), Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'));
  fs.writeFileSync(path.join(dir, 'empty.csv'), '');
  // A sparse file: 1.5 GB on paper, nothing on disk.
  const huge = path.join(dir, 'huge.csv');
  fs.closeSync(fs.openSync(huge, 'w'));
  fs.truncateSync(huge, 1.5e9);
  const { page, context } = await open();
  await pickFiles(page, path.join(demo, 'clients.csv'), path.join(dir, 'photo.csv'));
  assert.equal(await page.textContent('[data-testid=import-error-1]'), 'photo.csv: this is not a CSV file: it looks like a PNG image.');
  // The run waits for a usable file, and says so.
  assert.ok(await page.isDisabled('[data-testid=run]'));
  assert.match(await page.textContent('[data-testid=import-mode]'), /waits for the problems reported below/);
  // The page's language words the same problem.
  await page.click('button.lang:not(.active)');
  assert.equal(await page.textContent('[data-testid=import-error-1]'), "photo.csv : ce n'est pas un fichier CSV : on dirait une image PNG.");
  await page.click('button.lang:not(.active)');
  await page.setInputFiles('[data-testid=import-interactions]', path.join(dir, 'empty.csv'));
  await page.waitForFunction(() => /empty\.csv/.test(document.querySelector('[data-testid=import-error-1]')?.textContent));
  assert.equal(await page.textContent('[data-testid=import-error-1]'), 'empty.csv: the file is empty.');
  await page.setInputFiles('[data-testid=import-interactions]', huge);
  await page.waitForFunction(() => /huge\.csv/.test(document.querySelector('[data-testid=import-error-1]')?.textContent));
  assert.match(await page.textContent('[data-testid=import-error-1]'), /huge\.csv: this file is 1\.5 GB, more than this tab can read/);
  assert.ok(await page.isDisabled('[data-testid=run]'));
  // The tab keeps working.
  await page.setInputFiles('[data-testid=import-interactions]', path.join(demo, 'donnees_marketing.csv'));
  await runAndWait(page);
  assert.equal(await page.getAttribute('[data-testid=kpi-customers]', 'data-value'), '12');
  fs.rmSync(dir, { recursive: true, force: true });
  await context.close();
});

test('rejected rows can be paged through', async () => {
  const { page, context } = await open('?lang=en&dirty=0.05');
  await runAndWait(page);
  const total = Number(await page.getAttribute('[data-testid=rejects-page]', 'data-total'));
  assert.ok(total > 100, `${total} rejects`);
  const first = await page.textContent('[data-testid=rejects] tbody');
  await page.click('[data-testid=rejects-next]');
  await page.waitForSelector('[data-testid=rejects-page][data-page="1"]');
  const second = await page.textContent('[data-testid=rejects] tbody');
  assert.notEqual(first, second);
  const rejects = (await downloadText(page, 'rejects')).trim().split('\n');
  assert.equal(rejects.length - 1, total, 'the download holds every rejected row');
  await page.click('[data-testid=rejects-prev]');
  await page.waitForSelector('[data-testid=rejects-page][data-page="0"]');
  await context.close();
});

test('an imported file that keeps none of its rows is said so beside the status', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'numberly-none-'));
  fs.writeFileSync(path.join(dir, 'clients.csv'), 'client_id,age,segment,canal_acquisition\nC1,40,Premium,SEO\n');
  fs.writeFileSync(path.join(dir, 'interactions.csv'), 'client_id,type_action,valeur_achat,date\nX1,achat,10,2025-01-02\nX2,page_vue,,2025-01-03\n');
  const { page, context } = await open('?lang=fr');
  await pickFiles(page, path.join(dir, 'clients.csv'), path.join(dir, 'interactions.csv'));
  await page.click('[data-testid=run]');
  await page.waitForSelector('[data-testid=status][data-state=done]');
  assert.equal(
    await page.textContent('[data-testid=nothing-kept]'),
    'interactions.csv : aucune de ses 2 lignes n\'a été gardée (client inconnu : 2 ; la première à la ligne 2, '
      + 'colonne client_id : « X1 »). Les lignes rejetées sont dans « Qualité des données » et rejects.csv.',
  );
  // A run that keeps rows says nothing of the kind.
  await page.click('[data-testid=import-clear]');
  await runAndWait(page);
  assert.equal(await page.$('[data-testid=nothing-kept]'), null);
  fs.rmSync(dir, { recursive: true, force: true });
  await context.close();
});

test('a file without a required column gets one clear sentence', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'numberly-bad-'));
  fs.writeFileSync(path.join(dir, 'clients.csv'), 'client_id,age,ville\nC_0001,40,Lyon\n');
  fs.writeFileSync(path.join(dir, 'interactions.csv'), 'client_id,type_action,valeur_achat,date\nC_0001,achat,10,2025-01-02\n');
  const { page, context } = await open();
  await pickFiles(page, path.join(dir, 'clients.csv'), path.join(dir, 'interactions.csv'));
  await page.waitForSelector('[data-testid=import-error-0]');
  const en = await page.textContent('[data-testid=import-error-0]');
  assert.match(en, /^clients\.csv: the required column segment is missing/);
  // Every missing column at once, not one per try.
  assert.match(en, /Also missing: canal_acquisition\./);
  assert.ok(await page.isDisabled('[data-testid=run]'));
  // In French, in the page's own words: no command-line flag.
  await page.click('button.lang:not(.active)');
  const fr = await page.textContent('[data-testid=import-error-0]');
  assert.match(fr, /^clients\.csv : la colonne obligatoire segment manque .*La colonne canal_acquisition manque aussi\. .*« Colonnes du fichier clients ».* S'il n'a pas de colonne segment ni canal_acquisition, dites-le ci-dessous\.$/);
  assert.doesNotMatch(fr, /--|`/);
  // A file without segments or channels can say so: every customer's are `unknown`.
  await page.click('[data-testid=absent-segment]');
  await page.waitForSelector('[data-testid=absent-note-segment]');
  await page.waitForFunction(() => !document.querySelector('[data-testid=absent-segment]'));
  assert.match(await page.textContent('[data-testid=import-error-0]'), /la colonne obligatoire canal_acquisition manque/);
  await page.click('[data-testid=absent-canal_acquisition]');
  await page.waitForSelector('[data-testid=import-error-0]', { state: 'detached' });
  assert.match(await page.textContent('[data-testid=absent-note-segment]'), /segment : absente de ce fichier, « inconnu » pour chaque client\./);
  await runAndWait(page);
  assert.equal(await page.getAttribute('[data-testid=kpi-customers]', 'data-value'), '1');
  assert.match(await downloadText(page, 'by_segment'), /\nunknown,/);
  // Taken back: the column is missing again. Run waits for the engine's new answer
  // (disabled at once, before any message from the worker can arrive).
  const waits = await page.evaluate(async () => {
    document.querySelector('[data-testid=absent-undo-segment]').click();
    for (let i = 0; i < 5; i++) await Promise.resolve();
    return document.querySelector('[data-testid=run]').disabled;
  });
  assert.ok(waits, 'Run waits for the answer about the file');
  await page.waitForSelector('[data-testid=import-error-0]');
  assert.ok(await page.isDisabled('[data-testid=run]'));
  // Said absent, then mapped after all: no longer said absent.
  await page.click('[data-testid=absent-segment]');
  await page.waitForSelector('[data-testid=absent-note-segment]');
  await page.selectOption('[data-testid="map-0-ville"]', 'segment');
  await page.waitForSelector('[data-testid=absent-note-segment]', { state: 'detached' });
  await page.waitForSelector('[data-testid=import-error-0]', { state: 'detached' });
  fs.rmSync(dir, { recursive: true, force: true });
  await context.close();
});

test('empty segment cells can read as unknown instead of rejecting their customers', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'numberly-empty-'));
  fs.writeFileSync(path.join(dir, 'clients.csv'),
    'client_id,age,ville,segment,canal_acquisition\nC_0001,40,Lyon,,SEO\nC_0002,30,Paris,Premium,Email\n');
  fs.writeFileSync(path.join(dir, 'interactions.csv'),
    'client_id,type_action,valeur_achat,date\nC_0001,achat,10,2025-01-02\nC_0002,achat,20,2025-01-03\n');
  const { page, context } = await open('?lang=fr');
  await pickFiles(page, path.join(dir, 'clients.csv'), path.join(dir, 'interactions.csv'));
  await page.waitForSelector('[data-testid=empty-unknown-segment]');
  assert.match(await page.textContent('label:has([data-testid=empty-unknown-segment])'),
    /Cellules vides de segment\u00a0: lues «\u00a0inconnu\u00a0» \(sinon la ligne est rejetée\)/);
  // By default the customer with no segment is rejected, with their purchase.
  await runAndWait(page);
  assert.equal(await page.getAttribute('[data-testid=kpi-customers]', 'data-value'), '1');
  await page.check('[data-testid=empty-unknown-segment]');
  await page.waitForFunction(() => !document.querySelector('[data-testid=run]').disabled);
  assert.ok(await page.isChecked('[data-testid=empty-unknown-segment]'));
  assert.equal(await page.$('[data-testid=absent-note-segment]'), null, 'the column is there: not said absent');
  await runAndWait(page);
  assert.equal(await page.getAttribute('[data-testid=kpi-customers]', 'data-value'), '2');
  assert.equal(await page.getAttribute('[data-testid=kpi-revenue]', 'data-value'), '30.00');
  assert.match(await downloadText(page, 'by_segment'), /\nunknown,/);
  // The segment column ignored after all: the box goes with it, and the column is
  // missing again (not every customer's segment unknown without a word).
  await page.selectOption('[data-testid="map-0-segment"]', '');
  await page.waitForSelector('[data-testid=import-error-0]');
  assert.equal(await page.$('[data-testid=absent-note-segment]'), null);
  assert.ok(await page.isDisabled('[data-testid=run]'));
  fs.rmSync(dir, { recursive: true, force: true });
  await context.close();
});

test('one file alone does not run on sample data: the missing file is named', async () => {
  const demo = path.join(root, 'crates', 'core', 'tests', 'fixtures', 'demo');
  const { page, context } = await open('?lang=fr');
  await page.setInputFiles('[data-testid=import-interactions]', path.join(demo, 'donnees_marketing.csv'));
  await page.waitForSelector('[data-testid=mapping-interactions]');
  assert.ok(await page.isDisabled('[data-testid=run]'));
  assert.match(await page.textContent('[data-testid=import-mode]'), /^Il manque le fichier clients/);
  // The sizes of sample data do not apply to files: their presets are off too.
  assert.deepEqual(await page.$$eval('button.preset', (b) => b.map((x) => x.disabled)), [true, true, true]);
  await page.setInputFiles('[data-testid=import-clients]', path.join(demo, 'clients.csv'));
  await page.waitForSelector('[data-testid=mapping-clients]');
  assert.match(await page.textContent('[data-testid=import-mode]'), /traitera ces deux fichiers/);
  await runAndWait(page);
  assert.equal(await page.getAttribute('[data-testid=kpi-customers]', 'data-value'), '12');
  await context.close();
});

test('consenting only is refused up front without a consent column, the downloads stay, rejected ids show as written', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'numberly-consent-'));
  fs.writeFileSync(path.join(dir, 'clients.csv'), 'client_id,age,ville,segment,canal_acquisition\nC_0001,40,Lyon,Premium,SEO\n');
  fs.writeFileSync(path.join(dir, 'interactions.csv'),
    'client_id,type_action,valeur_achat,date\nC_0001,achat,10,2025-01-02\nC_0009,achat,5,2025-01-03\n');
  const { page, context } = await open();
  await pickFiles(page, path.join(dir, 'clients.csv'), path.join(dir, 'interactions.csv'));
  await runAndWait(page);
  // The orphan id as written, on screen; pseudonymised in rejects.csv.
  assert.match(await page.textContent('[data-testid=rejects] tbody'), /C_0009/);
  assert.match(await page.textContent('[data-testid=rejects-raw-note]'), /on this screen only/);
  const rejects = await downloadText(page, 'rejects');
  assert.doesNotMatch(rejects, /C_0009/);
  assert.match(rejects, /^interactions\.csv,3,client_id,unknown_client,P_[0-9a-f]{20}$/m);
  await page.waitForSelector('[data-testid=download-kpis][href]');
  // One customer, k = 5: every row of kpis.csv is blanked, and the download says so.
  assert.equal(await page.getAttribute('[data-testid=blanked-kpis]', 'data-rows'), '11');
  assert.match(await page.textContent('[data-testid=blanked-kpis]'), /11 rows blanked for k = 5/);
  assert.match(await page.textContent('[data-testid=blanked-why]'), /fewer than 5 customers, active customers or buyers/);
  assert.equal(await page.textContent('[data-testid=error-privacy-consent]'), '');
  await page.check('[data-testid=privacy-consent-only]');
  assert.match(await page.textContent('[data-testid=error-privacy-consent]'), /no consent column/);
  assert.ok(await page.isDisabled('[data-testid=privacy-apply]'));
  assert.ok(await page.getAttribute('[data-testid=download-kpis]', 'href'), 'the files stay downloadable');
  // Back to the options of the files on offer: nothing to apply.
  await page.uncheck('[data-testid=privacy-consent-only]');
  assert.ok(await page.isDisabled('[data-testid=privacy-apply]'));
  // An option changed: the files are said not to follow it until it is applied.
  await page.check('[data-testid=privacy-age-bands]');
  assert.ok(!(await page.isDisabled('[data-testid=privacy-apply]')));
  assert.match(await page.textContent('[data-testid=downloads-pending]'), /previous privacy options/);
  await page.uncheck('[data-testid=privacy-age-bands]');
  assert.equal(await page.$('[data-testid=downloads-pending]'), null);
  fs.rmSync(dir, { recursive: true, force: true });
  await context.close();
});

test('the filters say they leave the files alone, whose privacy report does not change with them', async () => {
  const { page, context } = await open();
  await runAndWait(page);
  assert.match(await page.textContent('[data-testid=downloads-scope]'), /filters change only the screen/);
  const report = async () => page.getAttribute('[data-testid=privacy-suppressed]', 'data-total');
  const suppressed = await report();
  const customers = await page.getAttribute('[data-testid=kpi-customers]', 'data-value');
  await page.click('[data-testid="filter-segment-Standard"]');
  await page.click('[data-testid="filter-segment-Basique"]');
  await page.waitForFunction((b) => document.querySelector('[data-testid=kpi-customers]').dataset.value !== b, customers);
  await page.waitForTimeout(300);
  assert.equal(await report(), suppressed);
  await context.close();
});

test('a date typed into the filter is kept while the period is fixed', async () => {
  const { page, context } = await open();
  await runAndWait(page);
  await page.fill('[data-testid=filter-to]', '2025-01-31');
  await page.fill('[data-testid=filter-from]', '2026-01-01');
  await page.waitForFunction(() => document.querySelector('[data-testid=error-filter-period]').textContent !== '');
  await page.fill('[data-testid=filter-to]', '2026-02-01');
  await page.waitForFunction(() => document.querySelector('[data-testid=error-filter-period]').textContent === '');
  assert.equal(await page.inputValue('[data-testid=filter-from]'), '2026-01-01');
  await page.waitForFunction(() => document.querySelector('[data-testid=kpi-active]').dataset.value === '0');
  await context.close();
});

test('a date typed key by key into the filter is kept as typed, and a half-typed one is undone on leaving', async () => {
  const { page, context, errors } = await open();
  await runAndWait(page);
  const sessions = () => page.getAttribute('[data-testid=kpi-sessions]', 'data-value');
  const whole = await sessions();
  // (An English browser: month, day, year; the year passes through 0002, 0020, 0202.)
  await page.focus('[data-testid=filter-from]');
  for (const key of '02152025') await page.keyboard.press(key);
  await page.waitForFunction((before) => document.querySelector('[data-testid=kpi-sessions]').dataset.value !== before, whole);
  assert.equal(await page.inputValue('[data-testid=filter-from]'), '2025-02-15');
  // What is applied is 2025-02-15 (typing went through 2025-02-01 on the way): the
  // figures of another day, then of that one set at once, are these again.
  await page.waitForTimeout(300);
  const typed = await sessions();
  await page.fill('[data-testid=filter-from]', '2025-02-14');
  await page.waitForFunction((before) => document.querySelector('[data-testid=kpi-sessions]').dataset.value !== before, typed);
  await page.fill('[data-testid=filter-from]', '2025-02-15');
  await page.waitForFunction((t) => document.querySelector('[data-testid=kpi-sessions]').dataset.value === t, typed);
  // Half a date, then Tab: the field shows the date in force again.
  await page.focus('[data-testid=filter-to]');
  await page.keyboard.press('Backspace');
  assert.equal(await page.inputValue('[data-testid=filter-to]'), '');
  // (Tab would move between the field's month, day and year.)
  await page.focus('[data-testid=filter-from]');
  assert.equal(await page.inputValue('[data-testid=filter-to]'), '2025-03-31');
  // Emptied key by key (month, day, year), then left: no bound, the whole period again.
  for (const key of ['Backspace', 'Tab', 'Backspace', 'Tab', 'Backspace']) await page.keyboard.press(key);
  assert.equal(await page.inputValue('[data-testid=filter-from]'), '');
  await page.focus('[data-testid=filter-to]');
  assert.equal(await page.inputValue('[data-testid=filter-from]'), '2025-01-01');
  await page.waitForFunction((w) => document.querySelector('[data-testid=kpi-sessions]').dataset.value === w, whole);
  assert.deepEqual(errors, []);
  await context.close();
});

test('keyboard and screen-reader users keep their place, and every control says what it is', async () => {
  const { page, context, errors } = await open('?lang=en&customers=20000&interactions=600000');
  // Run disables itself: the focus goes to Cancel, and back to Run once the run is over.
  await page.focus('[data-testid=run]');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.activeElement.dataset.testid === 'cancel');
  // The progress bar is named, and says its stage with its value.
  const bar = await page.evaluate(() => {
    const p = document.querySelector('[data-testid=progress]');
    return [p?.getAttribute('aria-label'), p?.textContent, p?.getAttribute('aria-valuetext')];
  });
  assert.equal(bar[0], 'Progress');
  assert.ok(bar[1] && bar[2] && bar[2].replace(/\s/g, '') === bar[1].replace(/\s/g, ''), bar.join(' | '));
  await page.waitForSelector('[data-testid=status][data-state=done]', { timeout: 60_000 });
  await page.waitForFunction(() => document.activeElement.dataset.testid === 'run');
  // Back on the first page, ‹ is disabled: the focus goes to ›.
  await page.waitForSelector('[data-testid=preview-next]:not([disabled])');
  await page.focus('[data-testid=preview-next]');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => !document.querySelector('[data-testid=preview-prev]').disabled);
  await page.focus('[data-testid=preview-prev]');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('[data-testid=preview-prev]').disabled);
  await page.waitForFunction(() => document.activeElement.dataset.testid === 'preview-next');
  // Names and states as a screen reader gets them.
  const cdp = await context.newCDPSession(page);
  const nodes = (await cdp.send('Accessibility.getFullAXTree')).nodes;
  const named = (role) => nodes.filter((n) => n.role?.value === role).map((n) => n.name?.value ?? '');
  const revenue = await page.textContent('[data-testid=kpi-revenue] .kpi-value');
  assert.ok(named('group').includes(`Revenue ${revenue}`), named('group').join(' | '));
  // A filter's result is said (it changes the figures silently otherwise); a run's is
  // its "Done." alone.
  assert.equal(await page.getAttribute('[data-testid=figures-said]', 'role'), 'status');
  assert.equal(await page.textContent('[data-testid=figures-said]'), '');
  await page.click('[data-testid=filter-channel-SEO]');
  await page.waitForFunction(() => document.querySelector('[data-testid=figures-said]').textContent !== '');
  const filtered = await page.textContent('[data-testid=kpi-revenue] .kpi-value');
  assert.notEqual(filtered, revenue);
  assert.match(await page.textContent('[data-testid=figures-said]'),
    new RegExp(`^Customers [0-9,]+, Active customers [0-9,]+, Revenue ${filtered.replace(/[.$]/g, '\\$&')}$`));
  await page.click('[data-testid=filter-channel-SEO]');
  const excel = named('button').filter((n) => n.startsWith('Excel'));
  assert.ok(excel.length >= 10 && new Set(excel).size === excel.length, excel.join(' | '));
  assert.ok(named('button').includes('Previous page') && named('button').includes('Next page'));
  const english = nodes.find((n) => n.role?.value === 'button' && n.name?.value === 'EN');
  assert.equal(english?.description?.value, 'English');
  assert.equal(english?.properties?.find((p) => p.name === 'pressed')?.value?.value, 'true');
  assert.ok(named('heading').includes('Settings') && named('heading').includes('Indicators'), named('heading').join(' | '));
  assert.equal(named('contentinfo').length, 1, 'the footer is the page\'s');
  // After a mouse click the focus is left where the browser puts it: a Space meant to
  // scroll must not press Cancel.
  await page.click('[data-testid=run]');
  await page.waitForSelector('[data-testid=cancel]:not([disabled])');
  await page.waitForTimeout(300);
  assert.notEqual(await page.evaluate(() => document.activeElement.dataset.testid), 'cancel');
  await page.waitForSelector('[data-testid=status][data-state=done]', { timeout: 60_000 });
  assert.deepEqual(errors, []);
  await context.close();
});

test('imported files can be restricted to the period, which rejects a stray date', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'numberly-period-'));
  fs.writeFileSync(path.join(dir, 'clients.csv'), 'client_id,age,ville,segment,canal_acquisition\nC_0001,40,Lyon,Premium,SEO\n');
  fs.writeFileSync(path.join(dir, 'interactions.csv'),
    'client_id,type_action,valeur_achat,date\nC_0001,achat,10,2025-01-02\nC_0001,achat,20,9999-01-02\nC_0001,achat,30,2025-02-10\n');
  const { page, context } = await open();
  await page.setInputFiles('[data-testid=import-clients]', path.join(dir, 'clients.csv'));
  await page.setInputFiles('[data-testid=import-interactions]', path.join(dir, 'interactions.csv'));
  // Unrestricted, the year 9999 makes the dates span too long: the message says what to do.
  await page.click('[data-testid=run]');
  await page.waitForSelector('[data-testid=status][data-state=error]');
  assert.match(await page.textContent('[data-testid=status]'), /more than 200 years.*Keep only the period/);
  // Restricted to the period on screen: the stray row is rejected, the others kept.
  await page.check('[data-testid=import-period]');
  await runAndWait(page);
  assert.equal(Number(await page.getAttribute('[data-testid=kpi-revenue]', 'data-value')), 40);
  const rejects = await downloadText(page, 'rejects');
  assert.match(rejects, /^interactions\.csv,3,horodatage,out_of_period,9999-01-02$/m);
  // An invalid period cannot be used.
  await page.fill('[data-testid=input-to]', '2024-12-31');
  assert.ok(await page.isDisabled('[data-testid=run]'));
  await page.uncheck('[data-testid=import-period]');
  assert.ok(!(await page.isDisabled('[data-testid=run]')), 'an unrestricted import needs no period');
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

test('the engine says it is ready only once its digest worker has loaded, however slowly', async () => {
  // A regression: the digest worker's files were fetched after "ready" when they came late.
  const slow = await serve(path.join(root, 'dist'), 0, { slow: ['/digest_bg.wasm'] });
  const { page, context, requests } = await open('?lang=en', `http://127.0.0.1:${slow.address().port}`);
  const loaded = requests.length;
  assert.ok(requests.some((u) => u.endsWith('/digest_bg.wasm')), `the digest worker loaded first: ${requests}`);
  await runAndWait(page);
  await page.waitForSelector('[data-testid=download-all][href]');
  assert.deepEqual(requests.slice(loaded), []);
  await context.close();
  slow.close();
});

test('both files dropped while the engine is still starting are read', async () => {
  // A regression: only the last request made before the engine was ready was kept.
  const slow = await serve(path.join(root, 'dist'), 0, { slow: ['/digest_bg.wasm'] });
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  const page = await context.newPage();
  await page.goto(`http://127.0.0.1:${slow.address().port}/?lang=en`);
  await page.waitForSelector('[data-testid=import-drop]');
  const demo = path.join(root, 'crates', 'core', 'tests', 'fixtures', 'demo');
  const files = ['clients.csv', 'donnees_marketing.csv'].map((name) => ({ name, text: fs.readFileSync(path.join(demo, name), 'utf8') }));
  assert.equal(await page.getAttribute('[data-testid=status]', 'data-engine'), 'starting', 'dropped before the engine is ready');
  await dropFiles(page, files);
  await page.waitForSelector('[data-testid=mapping-clients]');
  await page.waitForSelector('[data-testid=mapping-interactions]');
  await runAndWait(page);
  assert.equal(await page.getAttribute('[data-testid=kpi-customers]', 'data-value'), '12');
  await context.close();
  slow.close();
});

test('a run that keeps no row after one that kept some leaves nothing of the old charts', async () => {
  const { page, context, errors } = await open();
  /** The daily chart's option as ECharts holds it once drawn (charts are drawn 20 ms apart). */
  const daily = async () => {
    await page.waitForTimeout(600);
    return page.evaluate(() => {
      const o = echarts.getInstanceByDom(document.querySelector('[data-testid=chart-daily]')).getOption();
      return { points: o.series.map((s) => (s.data ?? []).length), message: o.title[1]?.show, legend: o.legend.map((l) => l.show) };
    });
  };
  await runAndWait(page);
  const first = await daily();
  assert.ok(first.points.every((n) => n > 0), `the generated run has days: ${first.points}`);
  assert.equal(first.message, false);
  // Every interaction's customer unknown or missing: nothing kept, so no day to show.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'numberly-nothing-'));
  fs.writeFileSync(path.join(dir, 'clients.csv'), 'client_id,age,ville,segment,canal_acquisition\nC_0001,34,Paris,Premium,SEO\n');
  fs.writeFileSync(path.join(dir, 'interactions.csv'), 'interaction_id,client_id,type_action,valeur_achat,date\n' +
    'I_0001,C_9999,page_vue,,2025-01-03 10:00:00\nI_0002,,achat,12.50,2025-01-04 11:00:00\n');
  await pickFiles(page, path.join(dir, 'clients.csv'), path.join(dir, 'interactions.csv'));
  await runAndWait(page);
  const none = await daily();
  assert.deepEqual(none.points, [0, 0, 0, 0], 'no line of the previous run is left');
  assert.equal(none.message, true, 'the chart says why it is empty');
  assert.deepEqual(none.legend, [false, false]);
  await page.click('[data-testid=import-clear]');
  await runAndWait(page);
  const again = await daily();
  assert.ok(again.points.every((n) => n > 0), `days again: ${again.points}`);
  assert.equal(again.message, false);
  assert.deepEqual(errors, []);
  fs.rmSync(dir, { recursive: true, force: true });
  await context.close();
});
