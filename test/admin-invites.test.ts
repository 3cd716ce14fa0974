import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { acceptInvite, createInvite } from '../src/core/agents/invites.js';
import { agentInvites } from '../src/db/schema.js';
import { PUBLIC_URL, startTestApp, type TestApp } from './helpers/harness.js';

/** Invitations (issue 11): an admin hands an agent a one-time, expiring set-password link. */
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp('admin-invites');
});
afterAll(async () => {
  await app?.stop();
});

const tokenOf = (url: string) => url.split('/invite/')[1];

describe('invitation links', () => {
  it('an agent created without a password gets a link; the link sets the password once, then sign-in works', async () => {
    const created = await app.api('POST', '/api/agents', { email: 'invitee@example.org', name: 'Ines Invitee' });
    expect(created.status).toBe(201);
    const { url, expiresAt } = created.body.invite;
    expect(url).toMatch(new RegExp(`^${PUBLIC_URL}/invite/[A-Za-z0-9_-]{43}$`));
    expect(new Date(expiresAt).getTime()).toBeGreaterThan(Date.now() + 71 * 3600_000);
    const token = tokenOf(url);

    // Only a hash of the token is stored.
    const rows = await app.sb.deps.db.select().from(agentInvites).where(eq(agentInvites.agentId, created.body.agent.id));
    expect(rows).toHaveLength(1);
    expect(rows[0].tokenHash).not.toContain(token);

    const seen = await app.api('GET', `/api/invites/${token}`, undefined, null);
    expect(seen.status).toBe(200);
    expect(seen.body.invite).toMatchObject({ email: 'invitee@example.org', name: 'Ines Invitee' });

    const short = await app.api('POST', `/api/invites/${token}`, { password: 'short' }, null);
    expect(short.status).toBe(400);
    const set = await app.api('POST', `/api/invites/${token}`, { password: 'chosen-password-1' }, null);
    expect(set.status).toBe(200);
    expect(set.body).toEqual({ email: 'invitee@example.org' });
    const agentToken = await app.login('invitee@example.org', 'chosen-password-1');
    const me = await app.api('GET', '/api/me', undefined, agentToken);
    expect(me.body.passwordChangeRequired).toBe(false);

    // Used: refused with a message saying so, and the password stays the chosen one.
    const again = await app.api('POST', `/api/invites/${token}`, { password: 'attacker-password-1' }, null);
    expect(again.status).toBe(409);
    expect(again.body.error.message).toMatch(/already been used/);
    expect((await app.api('GET', `/api/invites/${token}`, undefined, null)).status).toBe(409);
    await app.login('invitee@example.org', 'chosen-password-1');

    const audit = await app.api('GET', `/api/audit?target=agent:${created.body.agent.id}`);
    const actions = audit.body.entries.map((e: any) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['agent.invite', 'auth.invite_accepted']));
  });

  it('an expired link, an unknown one and one replaced by a newer link are refused', async () => {
    const agent = await app.agent({ name: 'Exp Ired', available: false });
    const db = app.sb.deps.db;
    const old = await createInvite(db, PUBLIC_URL, agent.id, { actorId: null }, new Date(Date.now() - 73 * 3600_000));
    const expired = await app.api('POST', `/api/invites/${tokenOf(old.url)}`, { password: 'chosen-password-2' }, null);
    expect(expired.status).toBe(409);
    expect(expired.body.error.message).toMatch(/expired/);

    const first = await app.api('POST', `/api/agents/${agent.id}/invite`);
    expect(first.status).toBe(201);
    const second = await app.api('POST', `/api/agents/${agent.id}/invite`);
    expect((await app.api('GET', `/api/invites/${tokenOf(first.body.invite.url)}`, undefined, null)).status).toBe(404);
    expect((await app.api('GET', `/api/invites/${'x'.repeat(43)}`, undefined, null)).status).toBe(404);
    expect((await app.api('GET', `/api/invites/nonsense`, undefined, null)).status).toBe(404);

    // The agent's old tokens stop working once the link sets a new password.
    await acceptInvite(app.sb.deps, tokenOf(second.body.invite.url), { password: 'chosen-password-3' }, {});
    expect((await app.api('GET', '/api/me', undefined, agent.token)).status).toBe(401);
  });

  it('only admins make links', async () => {
    const sup = await app.agent({ name: 'Sue Pervisor', role: 'supervisor', available: false });
    expect((await app.api('POST', `/api/agents/${sup.id}/invite`, undefined, sup.token)).status).toBe(403);
  });
});
