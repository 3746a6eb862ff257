import { defineConfig } from 'vite';

// A static build with relative paths; ES2022 for the package's top-level `await`.
export default defineConfig({
  base: './',
  build: { target: 'es2022', outDir: 'dist', emptyOutDir: true, assetsInlineLimit: 0, chunkSizeWarningLimit: 8192 },
  worker: { format: 'es' },
});
