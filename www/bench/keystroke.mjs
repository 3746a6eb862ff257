// Keystroke latency of the editor in headless Chromium, on a 50 KB and a 1 KB template.
// Build first (`make www`; `make bench-www` does both):   node bench/keystroke.mjs [keystrokes]
// Options: `--dist DIR` benchmarks another build (old and new side by side in one load window),
// `--default` runs only the two default rows (50 KB, 1 KB) with their CPU pass, `--first` only
// the first-scan rows.
//
// First scans (run first, on fresh page loads of the sample): load → first diagnostics (from the
// navigation's start), the scan at load, and the first keystroke's scan a moment after the
// diagnostics appear (an author starts typing) against the median of the next keystrokes' scans;
// then the first paste of lines that name rules the sample does not (a connection string, a
// private key, provider tokens: made-up values) against a second paste of the same kind.
//
// Each keystroke is a real key event (alternately a letter and Backspace, mid-document), sent
// after the previous one is on screen and a random pause, so that keys arrive at every phase of
// the 60 Hz frame clock. Measured in the page, all from the key event's own timestamp:
//   scan       the engine's scan of the whole text (Engine.scan, wherever it ran);
//   applied    key → the diagnostics, verdict and findings list updated in the DOM;
//   frame      key → the start (rAF timestamp) of the first frame that renders them;
//   painted    key → that frame's rendering done on the main thread (style, layout, paint:
//              a task posted from its requestAnimationFrame callback runs after it);
//   presented  key → the frame on screen, as the browser's Event Timing API reports it
//              (durations in 8 ms steps, and only those of 16 ms and more: "<16" below that).
//              It times the key's own frame: the diagnostics' frame only where they are
//              applied in the key's task (the default); in the other runs, the echo of the key.
// "painted" is the figure for the ≤ 16 ms target. Waiting for the next frame alone costs
// 0–16.7 ms (8.3 on average) at 60 Hz, whatever the editor does.
// "scan alone" is Engine.scan on the same text in a tight loop in the page, nothing else.
// Wall-clock figures grow with the machine's load; the CPU pass after each default run much less:
// a Chromium trace of TRACED keystrokes, with the renderer main thread's CPU time per
// keystroke in the key's own task (editor update + scan + DOM) and in frames (rAF callbacks,
// style, layout, paint, commit). Unloaded, key → painted ≈ input + wait for the frame + frame.
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { serve } from '../tools/serve.mjs';
import { launch } from '../tools/browser.mjs';

const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i < 0 ? null : args.splice(i, 2)[1];
};
const flag = (name) => args.includes(name) && Boolean(args.splice(args.indexOf(name), 1));
const DIST = option('--dist')?.replace(/\/?$/, '/') ?? fileURLToPath(new URL('../dist/', import.meta.url));
const ONLY_DEFAULT = flag('--default');
const ONLY_FIRST = flag('--first');
/** Page loads for the first-scan rows, keystrokes after the first one in each, pause before it. */
const FIRST_LOADS = 5;
const FIRST_LATER_KEYS = 20;
const FIRST_PAUSE_MS = 500;
const KEYSTROKES = Number(args[0] ?? 200);
const TARGET_CHARS = 50_000;
const SMALL_CHARS = 1_000;
const SCAN_LOOPS = 200;
const TRACED = 60;

if (!existsSync(`${DIST}index.html`)) {
  console.error('www/dist is missing: run `make www` first');
  process.exit(2);
}

/** A realistic HTML template: order mails with placeholders and a few secrets. */
function template(size) {
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

const sorted = (xs) => [...xs].sort((a, b) => a - b);
const quantile = (s, p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');

/** Installed in the page before the first measured keystroke. */
function instrument() {
  const samples = [];
  let current = null;
  window.__bench = { samples, events: [] };
  document.addEventListener('keydown', (e) => {
    current = { ts: e.timeStamp };
  }, true);
  window.addEventListener('sendguard:result', (e) => {
    if (!current) return;
    const s = current;
    current = null;
    s.scan = e.detail.ms;
    s.where = e.detail.where;
    s.applied = performance.now() - s.ts;
    requestAnimationFrame((frameTime) => {
      s.frame = frameTime - s.ts;
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        s.painted = performance.now() - s.ts;
        samples.push(s);
      };
      channel.port2.postMessage(null);
    });
  });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__bench.events.push({ start: e.startTime, end: e.startTime + e.duration });
  }).observe({ type: 'event', durationThreshold: 16 });
}

/** Key → presented per sample: the latest frame any event of that keystroke reported. */
function presented(samples, events) {
  return samples.map((s, i) => {
    const next = samples[i + 1]?.ts ?? Infinity;
    const mine = events.filter((e) => e.start >= s.ts && e.start < next);
    return mine.length ? Math.max(...mine.map((e) => e.end)) - s.ts : null; // null: under 16 ms
  });
}

/** Main-thread CPU ms per keystroke from a trace: `{ input, frames }` (thread time). */
async function cpuPass(browser, page) {
  await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline'] });
  for (let i = 0; i < TRACED; i++) {
    await page.keyboard.press(i % 2 ? 'Backspace' : 'x');
    await sleep(60 + Math.random() * 17);
  }
  const { traceEvents } = JSON.parse((await browser.stopTracing()).toString());
  const keyTask = traceEvents.find((e) => e.name === 'EventDispatch' && e.args?.data?.type === 'keydown');
  const onMain = (e) => e.pid === keyTask.pid && e.tid === keyTask.tid && e.ph === 'X';
  const events = traceEvents.filter(onMain).sort((a, b) => a.ts - b.ts);
  const tasks = events.filter((e) => e.name === 'RunTask');
  const inside = (task, test) => events.some((e) => e.ts >= task.ts && e.ts < task.ts + task.dur && test(e));
  const cpu = { input: 0, frames: 0 };
  for (const task of tasks) {
    if (inside(task, (e) => e.name === 'EventDispatch' && /^(keydown|keypress|textInput|beforeinput|input)$/.test(e.args?.data?.type))) cpu.input += task.tdur ?? 0;
    else if (inside(task, (e) => e.name === 'BeginMainFrame' || e.name === 'Commit')) cpu.frames += task.tdur ?? 0;
  }
  return { input: cpu.input / 1000 / TRACED, frames: cpu.frames / 1000 / TRACED };
}

/** Installed before the page's own scripts: every result, timed from the navigation's start. */
function recordResults() {
  window.__results = [];
  window.addEventListener('sendguard:result', (e) => window.__results.push({ at: performance.now(), ms: e.detail.ms, where: e.detail.where }));
}

/** One fresh load: `{ loaded, atLoad, first, later }` (ms): see "First scans" above. */
async function firstScans(browser, origin) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.addInitScript(recordResults);
  await page.goto(`${origin}/`);
  await page.waitForFunction(() => window.__results.length > 0, null, { polling: 5 });
  await sleep(FIRST_PAUSE_MS);
  await page.evaluate(() => {
    const { view } = window.sendguard;
    const line = view.state.doc.lineAt(Math.floor(view.state.doc.length / 2));
    view.dispatch({ selection: { anchor: line.to } });
    view.focus();
  });
  const key = async (i) => {
    const n = await page.evaluate(() => window.__results.length);
    await page.keyboard.press(i % 2 ? 'Backspace' : 'x');
    await page.waitForFunction((k) => window.__results.length > k, n, { polling: 5 });
    await sleep(20 + Math.random() * 17);
  };
  for (let i = 0; i <= FIRST_LATER_KEYS; i++) await key(i);
  const paste = async (n) => {
    const before = await page.evaluate(() => window.__results.length);
    await page.evaluate((text) => {
      const { view } = window.sendguard;
      const at = view.state.selection.main.head;
      view.dispatch({ changes: { from: at, insert: text }, selection: { anchor: at + text.length }, userEvent: 'input.paste' });
    }, NEW_RULES(n));
    await page.waitForFunction((k) => window.__results.length > k, before, { polling: 5 });
    return page.evaluate(() => window.__results.at(-1).ms);
  };
  const firstPaste = await paste(1);
  await sleep(50);
  const secondPaste = await paste(2);
  const results = await page.evaluate(() => window.__results);
  await page.close();
  const keys = results.slice(0, -2).slice(-(FIRST_LATER_KEYS + 1));
  return { loaded: results[0].at, atLoad: results[0].ms, first: keys[0].ms, later: quantile(sorted(keys.slice(1).map((r) => r.ms)), 0.5), firstPaste, secondPaste };
}

/** Lines for rules the sample does not use; made-up values, `n` makes each paste's own. */
const NEW_RULES = (n) => `
DATABASE_URL=postgres://billing:Zr8kQ${n}wLm2Tx@db.internal.example:5432/billing
-----BEGIN OPENSSH PRIVATE KEY-----
b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW${n}
-----END OPENSSH PRIVATE KEY-----
slack: xoxb-2041${n}5577-1188230043-Zm9vYmFyYmF6cXV4cXV1eA
github: ghp_${n}aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5
`;

async function firstRun(browser, origin) {
  const runs = [];
  for (let i = 0; i < FIRST_LOADS; i++) runs.push(await firstScans(browser, origin));
  const med = (k) => quantile(sorted(runs.map((r) => r[k])), 0.5).toFixed(2).padStart(8);
  const ratio = quantile(sorted(runs.map((r) => r.first / r.later)), 0.5);
  console.log(`\nFirst scans: the sample, ${FIRST_LOADS} fresh loads (median), first key ${FIRST_PAUSE_MS} ms after the first diagnostics; load ${load()}`);
  console.log(`  load → first diagnostics ${med('loaded')} ms   (scan at load ${med('atLoad')} ms)`);
  console.log(`  first keystroke's scan   ${med('first')} ms   later keystrokes' scan ${med('later')} ms (median of ${FIRST_LATER_KEYS}): ${ratio.toFixed(1)}×`);
  const pasteRatio = quantile(sorted(runs.map((r) => r.firstPaste / r.secondPaste)), 0.5);
  console.log(`  first paste of new rules ${med('firstPaste')} ms   second paste               ${med('secondPaste')} ms: ${pasteRatio.toFixed(1)}×`);
}

async function run(browser, origin, label, query, size, { cpu = false, sameTask = true } = {}) {
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
  });
  await page.evaluate(instrument);
  await sleep(300);
  const loadBefore = load();
  for (let i = 0; i < KEYSTROKES; i++) {
    await page.keyboard.press(i % 2 ? 'Backspace' : 'x');
    await page.waitForFunction((n) => window.__bench.samples.length > n, i, { timeout: 10_000, polling: 10 });
    await sleep(20 + Math.random() * 17);
  }
  const loadAfter = load();
  const { samples, events } = await page.evaluate(() => window.__bench);
  // The scan alone, same text, same options, nothing else running in the page.
  const scanAlone = await page.evaluate((loops) => {
    const { view, scanner } = window.sendguard;
    const text = view.state.doc.toString();
    const options = { context: document.getElementById('context').value, kind: document.getElementById('kind').value, format: document.getElementById('format').value };
    const ms = [];
    for (let i = 0; i < loops; i++) {
      const t0 = performance.now();
      scanner.engine.scan(text, options);
      ms.push(performance.now() - t0);
    }
    return ms;
  }, SCAN_LOOPS);
  const traced = cpu ? await cpuPass(browser, page) : null;
  await page.close();

  const f = (x) => (x == null ? '<16' : x.toFixed(1)).padStart(7);
  const row = (name, xs) => {
    const s = sorted(xs);
    return `  ${name.padEnd(24)} ${f(quantile(s, 0.5))}  ${f(quantile(s, 0.95))}  ${f(s[s.length - 1])}`;
  };
  const shown = presented(samples, events);
  // Unreported (under 16 ms) sort first: the quantiles are right, the value is "<16".
  const presentedSorted = [...shown].sort((a, b) => (a ?? -1) - (b ?? -1));
  const within = (xs) => `${Math.round((100 * xs.filter((x) => x != null && x <= 16.7).length) / xs.length)}%`;
  const where = [...new Set(samples.map((s) => s.where))].join(', ');
  console.log(`\n${label}: ${doc.length} chars, ${samples.length} keystrokes, scans in ${where}; load ${loadBefore} → ${loadAfter}`);
  console.log('                               median      p95      max   (ms)');
  console.log(row('scan alone (loop)', scanAlone));
  console.log(row('scan (per keystroke)', samples.map((s) => s.scan)));
  console.log(row('key → applied (DOM)', samples.map((s) => s.applied)));
  console.log(row('key → frame start', samples.map((s) => s.frame)));
  console.log(row('key → painted', samples.map((s) => s.painted)));
  const q = (p) => presentedSorted[Math.min(presentedSorted.length - 1, Math.floor(p * presentedSorted.length))];
  console.log(`  ${(sameTask ? 'key → presented (ET)' : 'key echo presented (ET)').padEnd(24)} ${f(q(0.5))}  ${f(q(0.95))}  ${f(presentedSorted.at(-1))}`);
  const underTarget = Math.round((100 * shown.filter((x) => x == null).length) / shown.length);
  console.log(`  painted ≤ 16.7 ms: ${within(samples.map((s) => s.painted))} of keystrokes; presented < 16 ms (Event Timing): ${underTarget}%`);
  if (traced) console.log(`  main-thread CPU per keystroke (trace, ${TRACED} keys): ${traced.input.toFixed(1)} ms key task + ${traced.frames.toFixed(1)} ms frames`);
  if (errors.length) console.log(`  page errors: ${errors.length}`);
}

const server = await serve(DIST);
const browser = await launch();
try {
  console.log(`sendguard editor keystroke benchmark: headless Chromium (${browser.version()}), ${KEYSTROKES} keystrokes per run, load average ${load()}, ${DIST}`);
  await firstRun(browser, server.origin);
  if (!ONLY_FIRST) {
    await run(browser, server.origin, '50 KB, default (scanned in the keystroke\'s transaction)', '', TARGET_CHARS, { cpu: true });
    await run(browser, server.origin, '1 KB, default', '', SMALL_CHARS, { cpu: true });
  }
  if (!ONLY_DEFAULT && !ONLY_FIRST) {
    await run(browser, server.origin, '50 KB, scan after the update (?delay=0: a second transaction)', '?delay=0', TARGET_CHARS, { sameTask: false });
    await run(browser, server.origin, '50 KB, worker (?workerThreshold=0)', '?workerThreshold=0', TARGET_CHARS, { sameTask: false });
  }
} finally {
  await browser.close();
  await server.close();
}
