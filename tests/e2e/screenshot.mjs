// The README's screenshot: the built app (dist/) after a French run of 20,000
// customers and 200,000 interactions (3 % dirty), its first 1,350 pixels at
// 1366 px wide.
//
//   trunk build --release && node tests/e2e/screenshot.mjs   (writes docs/screenshot.png)
import { chromium } from 'playwright-core';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from './server.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const server = await serve(path.join(root, 'dist'));
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1366, height: 1350 } });
  const query = '?lang=fr&seed=42&customers=20000&interactions=200000&dirty=0.03&autorun=1';
  await page.goto(`http://127.0.0.1:${server.address().port}/${query}`);
  await page.waitForSelector('[data-testid=status][data-state=done]', { timeout: 120_000 });
  // Charts are drawn one after the other, 20 ms apart, then animate.
  await page.waitForTimeout(2000);
  await page.screenshot({ path: path.join(root, 'docs', 'screenshot.png') });
} finally {
  await browser.close();
  server.close();
}
