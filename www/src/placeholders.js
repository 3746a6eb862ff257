// Template-aware highlighting: placeholders and tags of the common template syntaxes stand out
// from the HTML around them. Visual only; what counts as a secret is the engine's business.
import { Decoration, MatchDecorator, ViewPlugin } from '@codemirror/view';

/** `{{ }}` (Handlebars, Jinja, Liquid…), `{% %}`, `${ }`, `<%= %>` / `<% %>`. One line at most. */
export const PLACEHOLDER = /\{\{[^\n]*?\}\}|\{%[^\n]*?%\}|\$\{[^}\n]*\}|<%[^\n]*?%>/g;

const placeholderMark = Decoration.mark({ class: 'cm-tpl' });
const tagMark = Decoration.mark({ class: 'cm-tpl cm-tpl-tag' });

const decorator = new MatchDecorator({
  regexp: PLACEHOLDER,
  decoration: (match) => (match[0].startsWith('{%') || /^<%[^=-]/.test(match[0]) ? tagMark : placeholderMark),
});

/** The highlighting extension. */
export const templateHighlight = ViewPlugin.fromClass(
  class {
    constructor(view) {
      this.decorations = decorator.createDeco(view);
    }
    update(update) {
      this.decorations = decorator.updateDeco(update, this.decorations);
    }
  },
  { decorations: (plugin) => plugin.decorations },
);
