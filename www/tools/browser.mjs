// Launch Debian's Chromium through playwright-core (never a downloaded browser). Shared by the
// editor's tests and benchmark and by tests/editors, which passes its own playwright-core.

/** Path of the system Chromium; `CHROMIUM` overrides. */
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

/** Flags that keep Chromium from making requests of its own (no updates, sync, or probes). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * A headless Chromium that makes no requests of its own. `chromium` is playwright-core's
 * launcher: by default the one installed in www/; a package with its own install (tests/editors)
 * passes it, so that this file needs nothing installed next to it.
 */
export async function launch({ chromium } = {}) {
  chromium ??= (await import('playwright-core')).chromium;
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}
