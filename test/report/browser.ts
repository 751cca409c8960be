// Real headless Chromium for the HTML report tests (Debian package
// `chromium`, driven by playwright-core). No download: if the browser is
// missing the tests fail and say how to install it.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

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
