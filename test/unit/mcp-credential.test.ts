/** The bridge's static credential: the entry's env convention and flags, and the errors that name the fix. */
import { describe, expect, test } from 'vitest';
import { CredentialError, headersFromConfig } from '../../src/proxy/credential.js';

const fail = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    return e as CredentialError;
  }
  throw new Error('expected a CredentialError');
};

describe('headersFromConfig', () => {
  test('MCPWIRE_HEADER_1, _2, … then --header and --header-env, in that order', async () => {
    const c = headersFromConfig(
      'peel',
      { header: ['X-Team: blue'], headerEnv: ['X-API-Key=PEEL_KEY'] },
      { MCPWIRE_HEADER_1: 'Authorization: Bearer abc', MCPWIRE_HEADER_2: 'X-Org:  acme ', MCPWIRE_HEADER_4: 'X-Skipped: gap', PEEL_KEY: 'k1' },
    );
    expect(await c.headers()).toEqual({ Authorization: 'Bearer abc', 'X-Org': 'acme', 'X-Team': 'blue', 'X-API-Key': 'k1' });
    expect(await c.refreshAfter401({})).toBe(false);
  });

  test('no header at all: no credential; a 401 then says to log in', async () => {
    const c = headersFromConfig('pelcro', {}, {});
    expect(await c.headers()).toEqual({});
    expect(c.refusedFix()).toContain('mcpwire auth login pelcro');
  });

  test('an unset --header-env variable: every request fails with the variable and the fix, not at start', async () => {
    const c = headersFromConfig('peel', { headerEnv: ['X-API-Key=PEEL_KEY'] }, {});
    const e = await fail(c.headers());
    expect(e).toBeInstanceOf(CredentialError);
    expect(e.message).toContain('PEEL_KEY');
    expect(e.fix).toMatch(/Set PEEL_KEY in the entry's "env".*mcpwire auth login peel/);
  });

  test('malformed or reserved headers are refused without echoing the value', async () => {
    for (const env of [
      { MCPWIRE_HEADER_1: 'no colon secret-value' },
      { MCPWIRE_HEADER_1: 'Mcp-Session-Id: secret-value' },
      { MCPWIRE_HEADER_1: 'Bad Name: secret-value' },
      { MCPWIRE_HEADER_1: 'X-A: secret-value\r\nX-B: 1' },
    ]) {
      const e = await fail(headersFromConfig('peel', {}, env).headers());
      expect(`${e.message} ${e.fix}`).not.toContain('secret-value');
    }
  });
});
