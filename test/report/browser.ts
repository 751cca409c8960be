// Real headless Chromium for the HTML report tests (Debian package
// `chromium`, driven by playwright-core). No download: if the browser is
// missing the tests fail and say how to install it.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CFREPLAY_CHROMIUM ?? '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}: the HTML report is tested in a real browser. Install it with "apt-get update && apt-get install -y chromium" (Debian/Ubuntu), or set CFREPLAY_CHROMIUM to the browser's path.`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export interface OpenedPage {
  page: Page;
  url: string;
  /** Requests other than the page itself. */
  offPage: () => string[];
  /** Page errors, console errors and warnings, dialogs. */
  errors: string[];
}

/** Open a report file (file://) in a new page, watching requests and errors, and wait until the report says it is ready. */
export async function openReportPage(browser: Browser, url: string, waitUntil: 'load' | 'commit' = 'load'): Promise<OpenedPage> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  // Clicks, reads and waits in the page: hang guards, not timings (30 s did not do on a loaded machine).
  page.setDefaultTimeout(60_000);
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') errors.push(`console.${m.type()}: ${m.text()}`);
  });
  page.on('dialog', (d) => {
    errors.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  await page.goto(url, { waitUntil });
  // A hang guard (a loaded machine took past 15 s to get a large report ready).
  await page.waitForSelector('html[data-ready="1"]', { timeout: 120_000 });
  return { page, url, errors, offPage: () => requests.filter((u) => u !== url) };
}
