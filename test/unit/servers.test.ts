import { describe, expect, test } from 'vitest';
import { buildSpec, credentialInQuery, parseHeader, parseUrl, resolveServer, showUrl } from '../../src/servers.js';
import { nearest } from '../../src/suggest.js';
import { TARGET_IDS } from '../../src/targets/ids.js';
import { wantsColour } from '../../src/ui.js';

const noState = { state: { cached: () => ({}) } };

describe('URLs', () => {
  test.each([
    ['?token=abc', 'token'],
    ['?a=1&api_key=abc', 'api_key'],
    ['?apikey=abc', 'apikey'],
    ['?API-KEY=abc', 'API-KEY'],
    ['?access_token=abc', 'access_token'],
    ['?client_secret=abc', 'client_secret'],
    ['?password=abc', 'password'],
    ['?sig=abc', 'sig'],
    ['?X-Amz-Signature=abc', 'X-Amz-Signature'],
    ['?key=abc', 'key'],
  ])('%s carries a credential', (query, param) => {
    expect(credentialInQuery(parseUrl(`https://a.example/mcp${query}`))).toBe(param);
    expect(buildSpec({ name: 'a', url: `https://a.example/mcp${query}` }).secretInUrl).toBe(param);
  });
  test.each(['', '?tenant=acme', '?monkey=1', '?keyboard=1', '?page=2&sort=key'])('%s carries none', (query) => {
    expect(credentialInQuery(parseUrl(`https://a.example/mcp${query}`))).toBeUndefined();
    expect(buildSpec({ name: 'a', url: `https://a.example/mcp${query}` })).not.toHaveProperty('secretInUrl');
  });
  test('shown to a person: credentials masked, control characters escaped', () => {
    expect(showUrl('https://a.example/?tenant=acme&token=abc#x')).toBe('https://a.example/?tenant=acme&token=***#x');
    expect(showUrl('https://a.example/\u001b[2J')).toBe('https://a.example/\\x1b[2J');
  });
  test('an error about a URL with a credential does not print the credential', () => {
    expect(() => parseUrl('ftp://a.example/?token=SECRET')).toThrow(/token=\*\*\*/);
    expect(() => parseUrl('ftp://a.example/?token=SECRET')).not.toThrow(/SECRET/);
  });
  test('the URL written is the one given (checked raw, not as new URL() normalises it)', () => {
    expect(buildSpec({ name: 'a', url: 'https://A.example' }).url).toBe('https://A.example');
    expect(() => buildSpec({ name: 'a', url: 'https://a.example/\t' })).toThrow(/control character/);
  });
});

describe('headers', () => {
  test('a value may hold spaces and tabs inside, not around', () => {
    expect(parseHeader('X-Org:  a\tb  ')).toEqual({ name: 'X-Org', value: 'a\tb' });
  });
  test.each(['X-Org: a\u007fb', 'X-Org: a\u0085b', 'X-Org: a\rb', 'X-Org: a\nb'])('%j: a control character is refused', (raw) => {
    expect(() => parseHeader(raw)).toThrow(/control character/);
  });
  test('the error names the header by its position when it has no name', () => {
    expect(() => parseHeader('Bearer abc', 2)).toThrow(/--header #3/);
    expect(() => parseHeader('Bearer abc', 2)).not.toThrow(/abc/);
  });
});

describe('presets', () => {
  test('pelcro staging, and production by default', () => {
    expect(resolveServer(noState, { server: 'pelcro', env: 'staging' }).url).toBe('https://mcp-staging.pelcro.com/');
    expect(resolveServer(noState, { server: 'pelcro' }).url).toBe('https://mcp.pelcro.com/');
  });
  test('with --url, the first argument names the entry (it was silently dropped); two URLs or two names are refused, no URL echoed', () => {
    const url = 'https://x.example/mcp?token=s3cret';
    expect(resolveServer(noState, { server: 'first', url }).name).toBe('first');
    expect(resolveServer(noState, { server: 'pelcro', url }).name).toBe('pelcro');
    expect(resolveServer(noState, { server: 'first', name: 'first', url }).name).toBe('first');
    expect(resolveServer(noState, { server: url, url }).url).toBe(url);
    expect(() => resolveServer(noState, { server: 'first', name: 'other', url })).toThrow(/Two names were given: "first" and --name "other"/);
    expect(() => resolveServer(noState, { server: 'https://y.example/mcp', url })).toThrow(/Two different URLs/);
    expect(() => resolveServer(noState, { server: 'https://y.example/mcp', url })).not.toThrow(/s3cret|y\.example/);
  });
  test("a known name is an own property of the record, not Object.prototype's", () => {
    expect(() => resolveServer(noState, { server: 'constructor' })).toThrow(/No server named "constructor"/);
  });
});

describe('suggestions', () => {
  test.each([
    ['claude', 'claude-code'],
    ['claude-dekstop', 'claude-desktop'],
    ['curser', 'cursor'],
    ['vs-code', 'vscode'],
    ['codx', 'codex'],
    ['detcted', 'detected'],
    ['xyz', undefined],
    ['emacs', undefined],
  ])('%s → %s', (input, expected) => {
    expect(nearest(input, [...TARGET_IDS, 'all', 'detected'])).toBe(expected);
  });
});

describe('colour', () => {
  test.each([
    [{}, true, true],
    [{}, false, false],
    [{ TERM: 'dumb' }, true, false],
    [{ NO_COLOR: '1' }, true, false],
    [{ CI: 'true' }, true, false],
    [{ TERM: 'dumb', FORCE_COLOR: '1' }, false, true],
    [{ FORCE_COLOR: '0' }, true, true],
  ])('%j on a terminal: %s → %s', (env, terminal, expected) => {
    expect(wantsColour(env as Record<string, string>, terminal)).toBe(expected);
  });
});
