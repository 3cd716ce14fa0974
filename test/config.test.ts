import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

describe('configuration', () => {
  it('applies the contract defaults', () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.publicUrl).toBe('http://localhost:3000');
    expect(c.databaseUrl).toBe('postgres://postgres@127.0.0.1:5432/switchboard');
    expect(c.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(c.redisPrefix).toBe('sb');
    expect(c.role).toBe('all');
    expect(c.mail.inboundPort).toBe(2525);
    expect(c.jwtSecretGenerated).toBe(true);
  });

  it.each([
    [{ PORT: 'eighty' }, /^Invalid configuration: PORT:/],
    [{ DATABASE_URL: 'not a url' }, /^Invalid configuration: DATABASE_URL:/],
    [{ ROLE: 'both' }, /^Invalid configuration: ROLE:/],
    [{ ADMIN_EMAIL: 'nobody' }, /^Invalid configuration: ADMIN_EMAIL:/],
    [{ JWT_SECRET: 'short' }, /^Invalid configuration: JWT_SECRET:/],
    [{ NODE_ENV: 'production' }, /^Invalid configuration: JWT_SECRET: required when NODE_ENV=production/],
  ])('%j stops start-up with one line naming the variable', (env, message) => {
    expect(() => loadConfig(env as NodeJS.ProcessEnv)).toThrow(ConfigError);
    expect(() => loadConfig(env as NodeJS.ProcessEnv)).toThrow(message);
  });

  it('VOICE_ALLOWED_COUNTRIES: US and CA by default, a comma-separated list of country codes otherwise', () => {
    expect(loadConfig({}).voice.allowedCountries).toEqual(['US', 'CA']);
    expect(loadConfig({ VOICE_ALLOWED_COUNTRIES: ' us, mx ,US' }).voice.allowedCountries).toEqual(['US', 'MX']);
    expect(() => loadConfig({ VOICE_ALLOWED_COUNTRIES: 'USA' })).toThrow(/^Invalid configuration: VOICE_ALLOWED_COUNTRIES:/);
  });

  it('PUBLIC_URL drops a trailing slash so signatures match', () => {
    expect(loadConfig({ PUBLIC_URL: 'https://desk.example.org/' }).publicUrl).toBe('https://desk.example.org');
  });
});

describe('the process', () => {
  it('exits 1 with one clear line when a variable is malformed', async () => {
    const { spawnSync } = await import('node:child_process');
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { PATH: process.env.PATH, PORT: 'not-a-port', HOME: process.env.HOME },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^Invalid configuration: PORT: /)]);
  });
});
