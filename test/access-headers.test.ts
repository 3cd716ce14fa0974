import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startTestApp, type TestApp } from './helpers/harness.js';

/** Security headers on every response, HSTS only over https, and /metrics only for Prometheus. */
const METRICS_TOKEN = 'metrics-token-0123456789';
let https: TestApp;
let http: TestApp;
let metricsPort: number;
beforeAll(async () => {
  metricsPort = await freePort();
  https = await startTestApp('access-headers-https', { METRICS_TOKEN });
  http = await startTestApp('access-headers-http', { PUBLIC_URL: 'http://desk.example.org', METRICS_PORT: String(metricsPort) });
});
afterAll(async () => {
  await https?.stop();
  await http?.stop();
});

describe('security headers', () => {
  it('every response carries a strict CSP, nosniff, frame protection and no referrer', async () => {
    for (const path of ['/healthz', '/api/me', '/api/nope', '/webhooks/twilio/sms']) {
      const res = await fetch(https.url + path, { method: path.startsWith('/webhooks') ? 'POST' : 'GET' });
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp, path).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self';");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).not.toContain('unsafe-eval');
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("object-src 'none'");
      expect(csp).toMatch(/connect-src 'self' wss:\/\/\*\.twilio\.com/);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('permissions-policy')).toContain('microphone=(self)');
      expect(res.headers.get('x-powered-by')).toBeNull();
    }
  });

  it('HSTS when PUBLIC_URL is https, not otherwise', async () => {
    const secure = await fetch(`${https.url}/healthz`);
    expect(secure.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
    expect(secure.headers.get('content-security-policy')).toContain('upgrade-insecure-requests');
    const plain = await fetch(`${http.url}/healthz`);
    expect(plain.headers.get('strict-transport-security')).toBeNull();
    expect(plain.headers.get('content-security-policy')).not.toContain('upgrade-insecure-requests');
  });
});

describe('/metrics', () => {
  it('with METRICS_TOKEN: the token is required', async () => {
    expect((await fetch(`${https.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${https.url}/metrics`, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401);
    const ok = await fetch(`${https.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('switchboard_http_requests_total');
  });

  it('with METRICS_PORT: served on 127.0.0.1 only, not on the main port', async () => {
    expect((await fetch(`${http.url}/metrics`)).status).toBe(404);
    const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('switchboard_http_requests_total');
    const { networkInterfaces } = await import('node:os');
    const external = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal);
    if (external) {
      await expect(fetch(`http://${external.address}:${metricsPort}/metrics`)).rejects.toThrow();
    }
  });
});
