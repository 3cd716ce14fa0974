import { fileURLToPath } from 'node:url';
import { constants as zlib } from 'node:zlib';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { compression, defineAlgorithm } from 'vite-plugin-compression2';

/** The agent desk: `src/web` → `dist/web`, served by Switchboard's HTTP app (see src/http/app.ts WEB_DIST). */
export default defineConfig({
  root: fileURLToPath(new URL('./src/web', import.meta.url)),
  base: '/',
  plugins: [
    react(),
    // Brotli and gzip copies beside each file, made once at build time (too slow per request);
    // src/http/desk-static.ts serves whichever the browser accepts. Brotli quality 10: within 2 %
    // of 11's size in a third of its time (4 s against 13 s for the whole desk, measured).
    compression({
      algorithms: [
        defineAlgorithm('brotliCompress', { params: { [zlib.BROTLI_PARAM_QUALITY]: 10 } }),
        defineAlgorithm('gzip', { level: 9 }),
      ],
      include: /\.(js|css|html|svg|json)$/,
      logLevel: 'silent',
    }),
  ],
  build: {
    outDir: fileURLToPath(new URL('./dist/web', import.meta.url)),
    emptyOutDir: true,
    sourcemap: false,
  },
  server: {
    // `npx vite` for desk development against a running Switchboard on :3000.
    proxy: { '/api': 'http://127.0.0.1:3000', '/socket.io': { target: 'ws://127.0.0.1:3000', ws: true } },
  },
  logLevel: 'warn',
});
