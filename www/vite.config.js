import { defineConfig } from 'vite';

/**
 * Preload hints for the engine: its module and its .wasm are fetched while the HTML is parsed,
 * not after the editor's bundle has run and asked for them (load → first diagnostics).
 */
function preloadEngine() {
  return {
    name: 'sendguard-preload-engine',
    transformIndexHtml: {
      order: 'post',
      handler(html, { bundle }) {
        if (!bundle) return html; // the dev server: nothing hashed to point at
        const files = Object.values(bundle).map((item) => item.fileName);
        const wasm = files.find((f) => /sendguard_bg.*\.wasm$/.test(f));
        // The dynamic import's chunk: the one that loads the .wasm (web/index.js and its glue).
        const engine = Object.values(bundle).find((item) => item.type === 'chunk' && item.isDynamicEntry && /sendguard_bg/.test(item.code ?? ''));
        const tags = [];
        if (engine) tags.push({ tag: 'link', attrs: { rel: 'modulepreload', crossorigin: '', href: `./${engine.fileName}` }, injectTo: 'head' });
        if (wasm) tags.push({ tag: 'link', attrs: { rel: 'preload', as: 'fetch', type: 'application/wasm', crossorigin: '', href: `./${wasm}` }, injectTo: 'head' });
        return tags;
      },
    },
  };
}

// A static site that works from any file server, offline: relative asset paths, no CDN,
// and a target new enough for the wasm package's top-level `await` (ES2022).
export default defineConfig({
  base: './',
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: true,
    // Keep the .wasm a file of its own (fetched once, compiled while streaming), never a data: URL.
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1024,
  },
  worker: { format: 'es' },
  plugins: [preloadEngine()],
  // sendguard is linked (file:../pkg), so its editor module would find no @codemirror/* beside
  // its real path: take this app's copies, as an installed package would.
  resolve: { dedupe: ['@codemirror/state', '@codemirror/view', '@codemirror/lint', '@codemirror/language'] },
});
