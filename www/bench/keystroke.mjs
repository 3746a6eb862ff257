// Keystroke latency of the editor in headless Chromium, on a 50 KB template.
// For each keystroke (a real key event, alternately a letter and Backspace, mid-document):
//   scan      — the engine's scan time (in the worker or on the main thread),
//   applied   — key event → diagnostics, verdict and findings list updated in the DOM,
//   painted   — key event → the next frame after that (requestAnimationFrame, then a task).
// Runs: the default page (50 KB is scanned on the main thread; adaptive debounce, which turns
// on a 150 ms debounce while scans average 8 ms or more, e.g. on a loaded machine), the same
// with the debounce off, the same document forced into the worker, and a 1 KB template for the floor of the editor itself. Build first: `make www`.   node bench/keystroke.mjs [keystrokes]
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { serve } from '../tools/serve.mjs';
import { launch } from '../tools/browser.mjs';

const DIST = fileURLToPath(new URL('../dist/', import.meta.url));
const KEYSTROKES = Number(process.argv[2] ?? 200);
const TARGET_CHARS = 50_000;
const SMALL_CHARS = 1_000;

if (!existsSync(`${DIST}index.html`)) {
  console.error('www/dist is missing: run `make www` first');
  process.exit(2);
}

/** A realistic 50 KB HTML template: order mails with placeholders and a few secrets. */
function template(size = TARGET_CHARS) {
  const block = (i) => `<table class="order" id="order-${i}">
  <tr><td>Order</td><td>{{ order.number }}</td><td>{{ order.date | date: "%d.%m.%Y" }}</td></tr>
  <tr><td>Item</td><td>{{ item.name }}</td><td>{{ item.price | money }}</td></tr>
  <tr><td>Ship to</td><td>{{ customer.address.street }}, {{ customer.address.city }}</td></tr>
</table>
<p>Questions? Reply to this mail or call {{ shop.phone }}. Track: <a href="{{ shipment.url }}">{{ shipment.id }}</a></p>
${i % 25 === 0 ? '<p>Your password: {{ customer.password }}</p>\n' : ''}${i % 40 === 7 ? '<p>Reset: https://portal.example.com/reset?token=Q8zr2LmX9vTn4KsW7yPd3HbF</p>\n' : ''}`;
  let out = '<!doctype html>\n<html><body>\n';
  for (let i = 0; out.length < size; i++) out += block(i);
  return `${out}</body></html>\n`;
}

function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { median: q(0.5), p95: q(0.95), max: s[s.length - 1] };
}

async function run(browser, origin, label, query, size = TARGET_CHARS) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${origin}/${query}`);
  await page.waitForFunction(() => ['pass', 'warn', 'block'].includes(document.querySelector('[data-testid=verdict]')?.textContent));
  const doc = template(size);
  await page.evaluate((text) => {
    const { view } = window.sendguard;
    view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
  }, doc);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=findings] li').length > 0);
  // Cursor in the middle of the document, at the end of a line.
  await page.evaluate(() => {
    const { view } = window.sendguard;
    const line = view.state.doc.lineAt(Math.floor(view.state.doc.length / 2));
    view.dispatch({ selection: { anchor: line.to }, scrollIntoView: true });
    view.focus();
    const samples = [];
    let t0 = null;
    window.__bench = { samples };
    document.addEventListener('keydown', (e) => { t0 = e.timeStamp; }, true);
    window.addEventListener('sendguard:result', (e) => {
      if (t0 == null) return;
      const start = t0;
      t0 = null;
      const applied = performance.now() - start;
      requestAnimationFrame(() => setTimeout(() => samples.push({ scan: e.detail.ms, where: e.detail.where, applied, painted: performance.now() - start })));
    });
  });
  await new Promise((r) => setTimeout(r, 300));
  for (let i = 0; i < KEYSTROKES; i++) {
    await page.keyboard.press(i % 2 ? 'Backspace' : 'x');
    await page.waitForFunction((n) => window.__bench.samples.length > n, i, { timeout: 10_000, polling: 'raf' });
  }
  const samples = await page.evaluate(() => window.__bench.samples);
  await page.close();
  const f = (x) => x.toFixed(2).padStart(7);
  const [scan, applied, painted] = ['scan', 'applied', 'painted'].map((k) => stats(samples.map((s) => s[k])));
  console.log(`${label}  (${doc.length} chars, ${samples.length} keystrokes, scans in: ${[...new Set(samples.map((s) => s.where))].join(', ')})`);
  console.log('                       median      p95      max   (ms)');
  console.log(`  scan               ${f(scan.median)}  ${f(scan.p95)}  ${f(scan.max)}`);
  console.log(`  key → applied      ${f(applied.median)}  ${f(applied.p95)}  ${f(applied.max)}`);
  console.log(`  key → painted      ${f(painted.median)}  ${f(painted.p95)}  ${f(painted.max)}`);
  if (errors.length) console.log(`  page errors: ${errors.length}`);
  return { scan, applied, painted };
}

const server = await serve(DIST);
const browser = await launch();
try {
  console.log(`sendguard editor keystroke benchmark — headless Chromium, ${KEYSTROKES} keystrokes per run`);
  await run(browser, server.origin, 'default page (main thread)', '');
  await run(browser, server.origin, 'main thread, debounce off (?delay=0)', '?delay=0');
  await run(browser, server.origin, 'worker (?workerThreshold=0)', '?workerThreshold=0');
  await run(browser, server.origin, 'floor: 1 KB template', '', SMALL_CHARS);
} finally {
  await browser.close();
  await server.close();
}
