import { join, sep } from 'node:path';
import express, { type Router } from 'express';
import expressStaticGzip from 'express-static-gzip';

/** Vite names everything under assets/ by a hash of its content: a changed file gets a new name. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';
/** index.html names the current hashed files, so a browser asks again on every load (a 304 when unchanged). */
export const REVALIDATE = 'no-cache';

/**
 * Serves the built desk (dist/web): the .br/.gz files the build writes beside each script and
 * stylesheet (vite.config.ts) go to browsers that accept them, with Content-Encoding and
 * Vary: Accept-Encoding; hashed files are cached for a year; every other page path is the
 * single-page app's index.html.
 */
export function deskStatic(root: string): Router {
  const hashedDir = join(root, 'assets') + sep;
  const router = express.Router();
  router.use(
    expressStaticGzip(root, {
      enableBrotli: true,
      orderPreference: ['br', 'gzip'],
      index: false,
      serveStatic: {
        index: false,
        cacheControl: false,
        // `file` is what is sent (x.js.br for x.js); only its directory matters here.
        setHeaders: (res, file) => res.setHeader('Cache-Control', file.startsWith(hashedDir) ? IMMUTABLE : REVALIDATE),
      },
    }),
  );
  // A hashed file that is not there is a desk built before the last deploy asking for its old
  // chunks: a 404 (the desk then offers a reload), never index.html served as JavaScript.
  router.use('/assets', (_req, res) => {
    res.status(404).set('Cache-Control', 'no-store').type('text/plain').send('not found');
  });
  router.get(/^\/(?!api\/|webhooks\/|slack\/|socket\.io\/).*/, (_req, res) => {
    res.setHeader('Cache-Control', REVALIDATE);
    res.sendFile('index.html', { root, cacheControl: false });
  });
  return router;
}
