// Matching brackets and tags, highlighted when the cursor is next to one, as CodeMirror's
// bracketMatching() does, except while typing: a highlight that a keystroke would add or move
// waits for a pause in the typing (TYPING_PAUSE_MS), so that keystrokes do not redraw it.
//
// Why: adding or removing a highlight in the cursor's line makes CodeMirror rebuild that line
// and put the DOM selection back, which forces a layout and the browser's selection sync in
// the keystroke's task (0.5-1 ms of main-thread CPU per key, measured typing next to a
// tag's `>`). Moving the cursor (arrows, clicks) still shows the match at once, and a highlight
// that typing makes wrong is removed at once.
import { Annotation } from '@codemirror/state';
import { Decoration, EditorView, ViewPlugin } from '@codemirror/view';
import { matchBrackets } from '@codemirror/language';

/** Typing pause after which the match at the cursor is shown. */
export const TYPING_PAUSE_MS = 400;

/** Marks the transaction that the pause timer dispatches. */
const pauseEnded = Annotation.define();

const matchingMark = Decoration.mark({ class: 'cm-matchingBracket' });
const nonmatchingMark = Decoration.mark({ class: 'cm-nonmatchingBracket' });

/** The highlights for the brackets or tags next to each cursor (bracketMatching's defaults). */
function bracketDeco(state) {
  const marks = [];
  for (const range of state.selection.ranges) {
    if (!range.empty) continue;
    const pos = range.head;
    const match = matchBrackets(state, pos, -1)
      || (pos > 0 && matchBrackets(state, pos - 1, 1))
      || matchBrackets(state, pos, 1)
      || (pos < state.doc.length && matchBrackets(state, pos + 1, -1));
    if (!match) continue;
    const mark = match.matched ? matchingMark : nonmatchingMark;
    marks.push(mark.range(match.start.from, match.start.to));
    if (match.end) marks.push(mark.range(match.end.from, match.end.to));
  }
  return Decoration.set(marks, true);
}

/** True when two decoration sets mark the same ranges with the same classes. */
function sameDeco(a, b) {
  if (a.size !== b.size) return false;
  const x = a.iter();
  const y = b.iter();
  for (; x.value && y.value; x.next(), y.next()) {
    if (x.from !== y.from || x.to !== y.to || !x.value.eq(y.value)) return false;
  }
  return !x.value && !y.value;
}

const bracketMatcher = ViewPlugin.fromClass(
  class {
    constructor(view) {
      this.view = view;
      this.timer = -1;
      this.decorations = bracketDeco(view.state);
    }

    update(update) {
      if (update.transactions.some((tr) => tr.annotation(pauseEnded))) {
        this.decorations = bracketDeco(update.state);
      } else if (update.docChanged) {
        const mapped = this.decorations.map(update.changes);
        const fresh = update.view.composing ? null : bracketDeco(update.state);
        if (fresh && sameDeco(mapped, fresh)) {
          this.decorations = mapped; // unchanged: nothing to redraw
        } else if (fresh && fresh.size === 0) {
          this.decorations = fresh; // wrong now: removed at once
        } else {
          // New or moved: after the pause, nothing meanwhile (while composing, the marks only
          // move with the text, as in CodeMirror's own).
          this.decorations = update.view.composing ? mapped : Decoration.none;
          this.schedule();
        }
      } else if (update.selectionSet) {
        this.decorations = bracketDeco(update.state);
      }
    }

    schedule() {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.view.dispatch({ annotations: pauseEnded.of(true) }), TYPING_PAUSE_MS);
    }

    destroy() {
      clearTimeout(this.timer);
    }
  },
  { decorations: (plugin) => plugin.decorations },
);

/** The colours of CodeMirror's own bracketMatching() theme. */
const theme = EditorView.baseTheme({
  '&.cm-focused .cm-matchingBracket': { backgroundColor: '#328c8252' },
  '&.cm-focused .cm-nonmatchingBracket': { backgroundColor: '#bb555544' },
});

/** The extension. */
export const bracketMatchingWhenPaused = [bracketMatcher, theme];
