// The page's CodeMirror editor: HTML highlighting and the page's look around sendguard/codemirror,
// which this page uses as any application would (the findings as diagnostics, hover, quick fix,
// placeholders, the rules prepared in idle time).
import { EditorState } from '@codemirror/state';
import {
  EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter, highlightSpecialChars,
} from '@codemirror/view';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { html } from '@codemirror/lang-html';
import { HighlightStyle, syntaxHighlighting, defaultHighlightStyle } from '@codemirror/language';
import { sendguard, rescan as rescanView } from 'sendguard/codemirror';
import { bracketMatchingWhenPaused } from './brackets.js';

/**
 * CodeMirror's default highlighting with its three lightest colours darkened: every token stays
 * 4.5:1 (WCAG AA) on the active line and on a finding's tinted background (#085 was 3.7:1 there,
 * #e40 3.2:1, #f00 3.3:1). Checked by tests/contrast.test.mjs.
 */
const READABLE = { '#085': '#006a43', '#e40': '#b83000', '#f00': '#c80000' };
const highlightStyle = HighlightStyle.define(
  defaultHighlightStyle.specs.map((spec) => (READABLE[spec.color] ? { ...spec, color: READABLE[spec.color] } : spec)),
);

/**
 * Build the editor in `parent`. `scanner`, `options`, `onResult`, `allow` and `delay` go to
 * sendguard/codemirror as they are. Returns `{ view, rescan }`; `rescan()` scans again at once
 * (after a settings change).
 */
export function createEditor({ parent, doc, scanner, options, onResult, allow, delay = 'auto' }) {
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc,
      extensions: [
        lineNumbers(),
        highlightActiveLineGutter(),
        highlightSpecialChars(),
        history(),
        // No drawSelection(): the browser's own caret and selection. CodeMirror's drawn cursor
        // restarts a CSS blink animation on every keystroke (a style recalc with an animation
        // in the key's task, a new compositor animation in its frame) and measures the cursor in
        // every frame: ~3 ms of main-thread CPU per keystroke at 50 KB, ~2 ms at 1 KB. Its one
        // gain, several selections, is not used here.
        bracketMatchingWhenPaused,
        highlightActiveLine(),
        html(),
        syntaxHighlighting(highlightStyle, { fallback: true }),
        EditorView.lineWrapping,
        sendguard({ scanner, options, onResult, allow, delay }),
        keymap.of([...defaultKeymap, ...historyKeymap]),
        EditorView.contentAttributes.of({ 'aria-label': 'Template source', spellcheck: 'false' }),
      ],
    }),
  });
  return { view, rescan: () => rescanView(view) };
}
