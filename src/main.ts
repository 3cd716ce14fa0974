import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { checkServices, ServiceUnavailableError } from './preflight.js';
import { startSwitchboard } from './switchboard.js';

/** Composition root: config → Switchboard (web, worker or both, by ROLE) → signals. */
async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  try {
    await checkServices(config);
  } catch (err) {
    if (err instanceof ServiceUnavailableError) {
      process.stderr.write(`Switchboard cannot start: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const log = createLogger(config.logLevel, { role: config.role });
  // Node ends the process on a rejected promise nobody waits for. During a Postgres outage the
  // driver can reject one that way (seen once in many fault runs, in a worker), and ending the
  // process there turns an outage the code rides out into a restart. State lives in Postgres and
  // Redis and every job is idempotent, so the process logs it and goes on; an uncaught exception
  // still ends it.
  process.on('unhandledRejection', (err) => log.error({ err }, 'a promise failed with nobody waiting for it'));
  const sb = await startSwitchboard(config, { logger: log });
  // Supervisors (and the fault tests) wait for this line to know the process takes work.
  log.info({ role: config.role, port: sb.port }, 'switchboard started');

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 25_000).unref();
    await sb.stop();
    clearTimeout(force);
    log.info({ signal }, 'stopped cleanly');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err) => {
  process.stderr.write(`Switchboard failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
