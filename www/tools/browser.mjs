// Launch Debian's Chromium through playwright-core (never a downloaded browser).
import { chromium } from 'playwright-core';

/** Path of the system Chromium; `CHROMIUM` overrides. */
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

/** A headless Chromium that makes no requests of its own (no updates, sync, or probes). */
export function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}
