import { defineConfig } from 'vite';

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
  // sendguard is linked (file:../pkg), so its editor module would find no @codemirror/* beside
  // its real path: take this app's copies, as an installed package would.
  resolve: { dedupe: ['@codemirror/state', '@codemirror/view', '@codemirror/lint', '@codemirror/language'] },
});
