import { fileURLToPath } from 'node:url';

/**
 * The installation's root folder, holding `migrations/`, `ivr-flows/` and the
 * built desk in `dist/web/`. This file sits one level below it both as source
 * (`src/app-root.ts`, run by tsx) and compiled (`dist/app-root.js`, run by
 * node), so every path to those folders is taken from here.
 */
export const APP_ROOT = fileURLToPath(new URL('..', import.meta.url));
