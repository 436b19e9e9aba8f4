import { chromium } from 'playwright-core';
import { serve } from '../server.mjs';
import path from 'node:path';
const srv = await serve(path.resolve('../../../dist'));
const base = `http://127.0.0.1:${srv.address().port}`;
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox','--disable-gpu','--disable-quic','--no-first-run','--disable-background-networking','--disable-component-update','--disable-sync'] });
for (const [w, h, lang, name] of [[1440, 900, 'fr', 'fr-1440'], [390, 844, 'en', 'en-390']]) {
  const ctx = await browser.newContext({ viewport: { width: w, height: h } });
  const page = await ctx.newPage();
  await page.goto(base + '/?lang=' + lang + '&dirty=0.05');
  await page.waitForSelector('[data-testid=status][data-engine=ready]', { timeout: 30000 });
  await page.screenshot({ path: `/tmp/first-${name}.png` });
  await page.click('[data-testid=run]');
  await page.waitForSelector('[data-testid=status][data-state=done]', { timeout: 60000 });
  await page.waitForTimeout(1000);
  const q = page.locator('[data-testid=quality]');
  if (await q.count()) { await q.scrollIntoViewIfNeeded(); await q.screenshot({ path: `/tmp/quality-${name}.png` }); }
  await ctx.close();
}
await browser.close(); srv.close();
