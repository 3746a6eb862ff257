// Colour contrast of the editor (WCAG 2.1 AA) in headless Chromium, computed from the page's own
// computed styles: every visible text 4.5:1 against what is behind it (3:1 when large), and the
// marks that say "block", "warn" or "pass" (underlines, gutter markers, tooltip edges) 3:1 against
// theirs (1.4.11). Checked with findings of every severity on screen and a tooltip open.
// Failure messages name elements and colours, never the text (it can hold a secret).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { serve } from '../tools/serve.mjs';
import { launch } from '../tools/browser.mjs';

const DIST = fileURLToPath(new URL('../dist/', import.meta.url));

let server;
let browser;

before(async () => {
  assert.ok(existsSync(`${DIST}index.html`), 'www/dist is missing: run `make www` first');
  server = await serve(DIST);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** Runs in the page: `{ texts, marks, failures }` for everything visible now (`marks`: the kinds checked). */
function contrastAudit() {
  const parse = (css) => {
    const m = /^rgba?\(([^)]+)\)$/.exec(css.trim());
    if (!m) throw new Error(`unparsed colour ${css}`);
    const [r, g, b, a = 1] = m[1].split(/[\s,/]+/).filter(Boolean).map(Number);
    return { r, g, b, a };
  };
  // Any CSS colour (a name, #hex) as the browser resolves it.
  const probe = document.createElement('span');
  document.body.append(probe);
  const resolve = (css) => {
    probe.style.color = '';
    probe.style.color = css;
    return parse(getComputedStyle(probe).color);
  };
  const over = (top, bottom) => ({
    r: top.r * top.a + bottom.r * (1 - top.a),
    g: top.g * top.a + bottom.g * (1 - top.a),
    b: top.b * top.a + bottom.b * (1 - top.a),
    a: 1,
  });
  const luminance = ({ r, g, b }) => {
    const lin = (c) => ((c /= 255) <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  };
  const ratio = (x, y) => {
    const [hi, lo] = [luminance(x), luminance(y)].sort((a, b) => b - a);
    return (hi + 0.05) / (lo + 0.05);
  };
  /** The opaque colour behind `el`'s content: its and its ancestors' backgrounds, over white. */
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const bg = parse(getComputedStyle(e).backgroundColor);
      if (bg.a > 0) layers.push(bg);
      if (bg.a >= 1) break;
    }
    return layers.reverse().reduce((below, layer) => over(layer, below), { r: 255, g: 255, b: 255, a: 1 });
  };
  const opacity = (el) => {
    let o = 1;
    for (let e = el; e; e = e.parentElement) o *= Number(getComputedStyle(e).opacity);
    return o;
  };
  const name = (el) => {
    const parts = [];
    for (let e = el; e && parts.length < 3 && e !== document.body; e = e.parentElement) {
      const id = e.id ? `#${e.id}` : '';
      const cls = typeof e.className === 'string' && e.className ? `.${e.className.trim().split(/\s+/).slice(0, 3).join('.')}` : '';
      parts.unshift(`${e.tagName.toLowerCase()}${id}${cls}`);
    }
    return parts.join(' > ');
  };
  const hex = ({ r, g, b }) => `#${[r, g, b].map((c) => Math.round(c).toString(16).padStart(2, '0')).join('')}`;
  const visible = (el) => el.checkVisibility({ opacityProperty: true, visibilityProperty: true }) && !el.closest('.sr-only, option, [hidden]');

  const failures = [];
  let texts = 0;
  const seen = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!el || seen.has(el) || !node.data.trim() || !visible(el)) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    if (range.getClientRects().length === 0) continue;
    seen.add(el);
    texts++;
    const style = getComputedStyle(el);
    const bg = background(el);
    const fg = over({ ...parse(style.color), a: parse(style.color).a * opacity(el) }, bg);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    const need = large ? 3 : 4.5;
    const got = ratio(fg, bg);
    if (got < need) failures.push(`text ${name(el)}: ${hex(fg)} on ${hex(bg)} is ${got.toFixed(2)}:1, needs ${need}:1`);
  }

  // The severity marks: colours taken from the SVG images the lint extension draws them with.
  const svgColour = (css, attr) => {
    const m = new RegExp(`${attr}=["']([^"']+)["']`).exec(decodeURIComponent(css));
    return m ? resolve(m[1]) : null;
  };
  const marks = new Set();
  const mark = (el, colour, what) => {
    if (!colour) return failures.push(`mark ${name(el)}: no ${what} colour found`);
    marks.add(what);
    const bg = background(el);
    const got = ratio(over(colour, bg), bg);
    if (got < 3) failures.push(`mark ${name(el)}: ${what} ${hex(colour)} on ${hex(bg)} is ${got.toFixed(2)}:1, needs 3:1`);
  };
  for (const el of document.querySelectorAll('.cm-lintRange')) {
    if (visible(el)) mark(el, svgColour(getComputedStyle(el).backgroundImage, 'stroke'), 'underline');
  }
  for (const el of document.querySelectorAll('.cm-lint-marker')) {
    if (visible(el)) mark(el, svgColour(getComputedStyle(el).content, 'fill'), 'gutter marker');
  }
  for (const el of document.querySelectorAll('.cm-diagnostic')) {
    if (visible(el)) mark(el, parse(getComputedStyle(el).borderLeftColor), 'tooltip edge');
  }
  probe.remove();
  return { texts, marks: [...marks].sort(), failures: [...new Set(failures)] };
}

async function open(t, query = '') {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  t.after(() => page.close());
  await page.goto(`${server.origin}/${query}`);
  await page.waitForFunction(() => ['pass', 'warn', 'block'].includes(document.querySelector('[data-testid=verdict]')?.textContent));
  return page;
}

async function audit(page, state) {
  const { texts, marks, failures } = await page.evaluate(contrastAudit);
  assert.ok(texts > 10, `${state}: the audit saw the page's text`);
  assert.deepEqual(failures, [], `${state}: contrast below WCAG AA`);
  return marks;
}

const ALL_MARKS = ['gutter marker', 'tooltip edge', 'underline'];

async function hoverFirst(page, selector) {
  await page.locator(selector).first().hover();
  await page.locator('.cm-tooltip-lint').waitFor();
}

test('contrast: a clean invoice, the page itself', async (t) => {
  const page = await open(t);
  await audit(page, 'clean invoice');
});

test('contrast: blocked findings, their marks and tooltip', async (t) => {
  const page = await open(t);
  await page.selectOption('#sample', 'welcome');
  await page.waitForFunction(() => document.querySelector('[data-testid=verdict]').textContent === 'block');
  await hoverFirst(page, '[data-testid=editor] .cm-lintRange-error');
  assert.deepEqual(await audit(page, 'block'), ALL_MARKS);
});

test('contrast: warnings and pass-level findings, their marks and tooltips', async (t) => {
  const page = await open(t);
  await page.selectOption('#sample', 'reset');
  await page.selectOption('[data-testid=context]', 'generic');
  await page.waitForFunction(() => document.querySelector('[data-testid=verdict]').textContent === 'warn');
  await hoverFirst(page, '[data-testid=editor] .cm-lintRange-warning');
  assert.deepEqual(await audit(page, 'warn'), ALL_MARKS);

  await page.mouse.move(0, 0);
  await page.selectOption('[data-testid=context]', 'password_reset');
  await page.waitForFunction(() => document.querySelector('[data-testid=verdict]').textContent === 'pass');
  await page.locator('[data-testid=editor] .cm-lintRange-info').first().waitFor();
  await hoverFirst(page, '[data-testid=editor] .cm-lintRange-info');
  assert.deepEqual(await audit(page, 'pass'), ALL_MARKS);
});
