import react from '@vitejs/plugin-react';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * The console's single-page app, built into dist/apps/console-web and served by the console app itself
 * (no CDN). Every asset is a file with a content hash in its name, so the console can cache it for a year;
 * nothing is inlined into index.html, so the page runs under a CSP without 'unsafe-inline'.
 */
export default defineConfig({
  root: here,
  plugins: [react()],
  build: {
    outDir: path.resolve(here, '../../dist/apps/console-web'),
    emptyOutDir: true,
    assetsInlineLimit: 0,
    sourcemap: false,
    chunkSizeWarningLimit: 1024,
  },
});
