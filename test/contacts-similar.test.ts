import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contactIdentities, contacts } from '../src/db/schema.js';
import { startTestApp, type TestApp } from './helpers/harness.js';

/** Issue 10: the desk offers a merge when it sees the same email or phone (normalised) or the same name. */
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp('contacts-similar');
});
afterAll(async () => {
  await app?.stop();
});

async function contact(name: string | null, identities: { kind: 'phone' | 'email'; value: string }[]) {
  const [c] = await app.sb.deps.db.insert(contacts).values({ name }).returning();
  if (identities.length) await app.sb.deps.db.insert(contactIdentities).values(identities.map((i) => ({ ...i, contactId: c.id })));
  return c.id;
}

describe('GET /api/contacts/:id/similar', () => {
  it('finds the same email in another case, the same phone written otherwise and the same name without accents; says why', async () => {
    const maria = await contact('María López', [
      { kind: 'phone', value: '+15305550199' },
      { kind: 'email', value: 'Maria.Lopez@Example.org' },
    ]);
    const byEmail = await contact(null, [{ kind: 'email', value: 'maria.lopez@example.org' }]);
    const byName = await contact('maria  lopez', [{ kind: 'phone', value: '+15305550777' }]);
    const byPhone = await contact('M. L.', [{ kind: 'phone', value: '(530) 555-0199' }]);
    await contact('Mario Lopez', [{ kind: 'email', value: 'mario.lopez@example.org' }]);
    await contact(null, [{ kind: 'phone', value: '+15305550198' }]);

    const r = await app.api('GET', `/api/contacts/${maria}/similar`);
    expect(r.status).toBe(200);
    const found = Object.fromEntries(r.body.contacts.map((c: { id: string; reasons: string[] }) => [c.id, c.reasons]));
    expect(found).toEqual({ [byEmail]: ['email'], [byName]: ['name'], [byPhone]: ['phone'] });
    expect(r.body.contacts.find((c: { id: string }) => c.id === byPhone).identities).toMatchObject([
      { kind: 'phone', value: '(530) 555-0199' },
    ]);

    // After the merge the suggestion is gone.
    expect((await app.api('POST', `/api/contacts/${maria}/merge`, { contactId: byEmail })).status).toBe(200);
    const after = await app.api('GET', `/api/contacts/${maria}/similar`);
    expect(after.body.contacts.map((c: { id: string }) => c.id).sort()).toEqual([byName, byPhone].sort());
  });

  it('a contact alone has no suggestions; an agent who may not see the contact gets 404; a bad id is 400', async () => {
    const lone = await contact('Zed Quill', [{ kind: 'email', value: 'zed@example.org' }]);
    expect((await app.api('GET', `/api/contacts/${lone}/similar`)).body).toEqual({ contacts: [] });
    const agent = await app.agent({ name: 'Ana Agent', queues: ['donor'], available: false });
    expect((await app.api('GET', `/api/contacts/${lone}/similar`, undefined, agent.token)).status).toBe(404);
    expect((await app.api('GET', '/api/contacts/nope/similar')).status).toBe(400);
  });
});
