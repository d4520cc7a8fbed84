import { describe, expect, it } from 'vitest';
import { authenticatorFor } from '../../../src/api/auth/authenticatorFor.js';
import { SessionTokens } from '../../../src/api/auth/SessionTokens.js';
import { AppConfigSchema } from '../../../src/config/configSchema.js';

const SECRET = 'session-revocation-secret-0123456789abcdef';
const NOW = 1_700_000_000_000;

/** The configuration an engine restarts with: same JWT_SECRET, the tokens the operator now wants. */
const configWith = (tokens: { name: string; role: string; token: string }[]) =>
  AppConfigSchema.parse({ api: { tokens, jwt: { secret: SECRET, ttlSeconds: 900 } } });

/** A session issued while `name` held `role` (what the login route hands a browser). */
const sessionOf = async (name: string, role: 'viewer' | 'trader' | 'admin'): Promise<string> =>
  (await new SessionTokens(SECRET, 900, () => NOW).issue({ name, role })).token;

describe('session tokens follow the configured API tokens (revocation)', () => {
  it('a session of a token the operator removed is refused, though its signature is still good', async () => {
    const session = await sessionOf('mallory', 'admin');
    const config = configWith([{ name: 'ops', role: 'admin', token: 'ops-token-0123456789abc' }]);
    const auth = authenticatorFor(config, () => NOW + 60_000);
    expect(await auth.authenticate(session)).toBeUndefined();
  });

  it('a session of a token whose role was lowered has the lower role, never the one it was issued with', async () => {
    const session = await sessionOf('ana', 'admin');
    const config = configWith([{ name: 'ana', role: 'viewer', token: 'ana-token-0123456789abc' }]);
    const auth = authenticatorFor(config, () => NOW + 60_000);
    expect(await auth.authenticate(session)).toEqual({ name: 'ana', role: 'viewer' });
  });

  it('a raised role does not raise a session issued before: log in again for it', async () => {
    const session = await sessionOf('ana', 'viewer');
    const config = configWith([{ name: 'ana', role: 'admin', token: 'ana-token-0123456789abc' }]);
    const auth = authenticatorFor(config, () => NOW + 60_000);
    expect(await auth.authenticate(session)).toEqual({ name: 'ana', role: 'viewer' });
  });

  it('an unchanged token keeps its session until it expires', async () => {
    const session = await sessionOf('ana', 'trader');
    const config = configWith([{ name: 'ana', role: 'trader', token: 'ana-token-0123456789abc' }]);
    expect(await authenticatorFor(config, () => NOW + 899_000).authenticate(session)).toEqual({
      name: 'ana',
      role: 'trader',
    });
    expect(await authenticatorFor(config, () => NOW + 901_000).authenticate(session)).toBeUndefined();
  });
});

describe('api.tokens entries sharing a token value', () => {
  it('refuse to start, naming the entries and never the token, rather than authenticate as the last one', () => {
    const shared = 'shared-token-value-0123456789';
    const config = configWith([
      { name: 'intern', role: 'viewer', token: shared },
      { name: 'ops', role: 'admin', token: shared },
    ]);
    let err: unknown;
    try {
      authenticatorFor(config, () => NOW);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({
      code: 'ERR_CONFIG_API_TOKENS',
      message: expect.stringMatching(
        /"intern" \(viewer\) and "ops" \(admin\) have the same token/,
      ) as unknown,
    });
    expect(JSON.stringify(err) + String(err)).not.toContain(shared);
  });

  it('one name may hold two tokens (rotation), each authenticating as it', async () => {
    const config = configWith([
      { name: 'ops', role: 'admin', token: 'ops-old-token-0123456789' },
      { name: 'ops', role: 'admin', token: 'ops-new-token-0123456789' },
    ]);
    const auth = authenticatorFor(config, () => NOW);
    expect(await auth.authenticate('ops-old-token-0123456789')).toEqual({ name: 'ops', role: 'admin' });
    expect(await auth.authenticate('ops-new-token-0123456789')).toEqual({ name: 'ops', role: 'admin' });
  });
});
