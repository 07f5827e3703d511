/**
 * doctor's pieces in-process: a check that throws or hangs becomes one failed finding (runDoctor never
 * throws), the preset health endpoint against a real local server, the environment checks, the report's
 * rendering with and without colour, and how an entry's headers map back to a spec for --fix.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { main, type LoadBundle } from '../../src/cli.js';
import { createContext } from '../../src/commands/context.js';
import * as doctorBundle from '../../src/commands/doctor.js';
import { envRefs, scanClients } from '../../src/doctor/clients.js';
import { guard } from '../../src/doctor/engine.js';
import { recordingFetch, StepTimeout } from '../../src/doctor/http.js';
import { checkNode, checkProxy, checkStore, proxyFor } from '../../src/doctor/environment.js';
import type { CredentialStore } from '../../src/auth/store/common.js';
import { specOf } from '../../src/doctor/fix.js';
import { renderDoctorReport, runDoctor } from '../../src/doctor/index.js';
import { checkHealth } from '../../src/doctor/server.js';
import type { Preset } from '../../src/presets/index.js';
import { TARGETS } from '../../src/targets/index.js';
import { scratchHomePlatform } from '../fake-platform.js';
import { testIO } from '../test-io.js';

const W = { subject: 'demo', server: 'demo' };

function scratchContext(env: Record<string, string> = {}) {
  const { platform, home, write } = scratchHomePlatform('mcpwire-doctor-', { MCPWIRE_CREDENTIAL_STORE: 'file', ...env });
  const t = testIO();
  return { ctx: createContext({ platform, io: t.io }), t, home, write };
}

describe('guard: one check cannot break the others', () => {
  test('a check that throws becomes one failed finding with its message', async () => {
    const out = await guard(W, 'server.tls', 1000, async () => {
      throw new Error('boom');
    });
    expect(out).toEqual([expect.objectContaining({ id: 'server.tls', status: 'fail', message: 'TLS: boom', subject: 'demo' })]);
  });

  test('a check that never settles is cut at its own limit, said so, with the --timeout hint', async () => {
    const started = Date.now();
    const out = await guard(W, 'mcp.tools', 200, () => new Promise(() => {}));
    expect(Date.now() - started).toBeLessThan(1500);
    expect(out[0]).toMatchObject({ status: 'fail', message: 'tools/list: no answer within 0.2 s', fix: expect.stringContaining('--timeout') });
  });

  test('findings carry the time the check took', async () => {
    const out = await guard(W, 'x', 1000, async () => [{ id: 'x', subject: 'demo', status: 'ok', message: 'fine' }]);
    expect(out[0].ms).toBeGreaterThanOrEqual(0);
  });
});

describe('runDoctor never throws for a finding', () => {
  test('an entry whose URL is not http(s) and a damaged state file are findings, not exceptions', async () => {
    const { ctx, write } = scratchContext();
    write('.cursor/mcp.json', JSON.stringify({ mcpServers: { odd: { url: 'ftp://example.com/mcp' } } }));
    write('.config/mcpwire/state.json', '{ not json');
    const report = await runDoctor(ctx, {});
    expect(report.ok).toBe(false);
    expect(report.checks).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: 'server.url', subject: 'odd', status: 'fail' }),
        expect.objectContaining({ id: 'env.state', status: 'fail', message: expect.stringContaining('state file is damaged') }),
      ]),
    );
  });

  test('a config path that is a folder is one failed client.parse finding that names the path once', async () => {
    const { ctx, home } = scratchContext();
    const file = `${home}/.cursor/mcp.json`;
    (await import('node:fs')).mkdirSync(file, { recursive: true });
    const report = await runDoctor(ctx, {});
    const found = report.checks.filter((c) => c.id === 'client.parse' && c.status === 'fail');
    expect(found).toHaveLength(1);
    expect(found[0].message).toBe(`${file} is a folder, not a config file; nothing was read or written.`);
    expect(found[0].fix).toMatch(/Move .* aside/);
  });

  test('`targets` limits the client checks to those clients (what setup passes)', async () => {
    const { ctx, write } = scratchContext();
    write('.cursor/mcp.json', JSON.stringify({ mcpServers: { x: { url: 'ftp://example.com/' } } }));
    write('.codex/config.toml', '[mcp_servers.y]\nurl = "ftp://example.com/"\ntype = "http"\n');
    const report = await runDoctor(ctx, { targets: ['codex'] });
    expect(report.checks.some((c) => c.target === 'cursor')).toBe(false);
    expect(report.checks.some((c) => c.target === 'codex' && c.id === 'client.shape' && c.status === 'fail')).toBe(true);
  });
});

describe('the recording fetch the SDK is given', () => {
  let server: http.Server;
  let origin: string;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const date = 'Tue, 01 Jan 2030 00:00:00 GMT';
      if (req.url === '/rpc') return res.writeHead(200, { 'content-type': 'application/json', date }).end('{"jsonrpc":"2.0","id":1,"result":{}}');
      if (req.url === '/page') return res.writeHead(200, { 'content-type': 'text/html' }).end('<html>hello</html>');
      if (req.url === '/huge') return res.writeHead(200, { 'content-type': 'application/json' }).end(`"${'x'.repeat(3 * 1024 * 1024)}"`);
      // /hang: accepted, never answered
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  const recorder = (timeoutMs = 2000) => recordingFetch({ timeoutMs, signal: new AbortController().signal });

  test('what came back is recorded: status, type, Date, JSON-RPC or an HTML page; the body is still readable', async () => {
    const r = recorder();
    const res = await r.fetch(`${origin}/rpc`, { method: 'POST', body: '{"jsonrpc":"2.0","id":1,"method":"tools/list"}' });
    expect(await res.json()).toEqual({ jsonrpc: '2.0', id: 1, result: {} });
    await r.fetch(`${origin}/page`);
    expect(r.log.map((x) => [x.what, x.status, x.jsonRpc, x.html])).toEqual([
      ['tools/list', 200, true, false],
      ['GET /page', 200, false, true],
    ]);
    expect(r.date()).toBe('Tue, 01 Jan 2030 00:00:00 GMT');
  });

  test('a body is read up to 1 MB, no further (a hostile server cannot fill memory)', async () => {
    const r = recorder();
    const body = await (await r.fetch(`${origin}/huge`)).arrayBuffer();
    expect(body.byteLength).toBeLessThanOrEqual(1024 * 1024);
    expect(r.log[0].json).toBeUndefined();
  });

  test('a request that gets no answer stops at its own limit, named by its JSON-RPC method', async () => {
    const r = recorder(300);
    const started = Date.now();
    await expect(r.fetch(`${origin}/hang`, { method: 'POST', body: '{"jsonrpc":"2.0","id":1,"method":"initialize"}' })).rejects.toThrow(
      'initialize: no answer within 0.3 s',
    );
    expect(Date.now() - started).toBeLessThan(2000);
    expect(r.log[0].error).toBeInstanceOf(StepTimeout);
  });
});

describe("a preset's health endpoint", () => {
  let server: http.Server;
  let origin: string;
  let answer: { status: number; body: unknown } = { status: 200, body: {} };
  beforeAll(async () => {
    server = http.createServer((req, res) =>
      req.url === '/health' ? res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body)) : res.writeHead(404).end(),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  const preset = (): Preset => ({ name: 'acme', title: 'Acme', urls: { production: `${origin}/mcp`, staging: `${origin}/staging` }, health: '/health' });
  const run = (env: string) => checkHealth(W, new URL(`${origin}/mcp`), preset(), env, 2000, new AbortController().signal);

  test('production: status, version and environment shown', async () => {
    answer = { status: 200, body: { status: 'ok', version: '4.2.0', environment: 'production' } };
    expect(await run('production')).toEqual([expect.objectContaining({ status: 'ok', message: 'Acme health: ok, version 4.2.0, environment production' })]);
  });

  test('staging: a warning that names the production URL as the fix; it goes away on production', async () => {
    answer = { status: 200, body: { status: 'ok', version: '4.3.0-rc1', environment: 'staging' } };
    const [c] = await run('production');
    expect(c).toMatchObject({ status: 'warn', message: expect.stringContaining('STAGING'), fix: expect.stringContaining(`--url ${origin}/mcp`) });
  });

  test('a failing health endpoint fails', async () => {
    answer = { status: 503, body: { status: 'down' } };
    expect((await run('production'))[0]).toMatchObject({ status: 'fail', message: expect.stringContaining('HTTP 503') });
  });
});

describe('environment', () => {
  const store = (o: Partial<CredentialStore>): CredentialStore =>
    ({
      kind: 'keychain',
      location: 'Secret Service',
      get: async () => undefined,
      set: async () => {},
      delete: async () => false,
      list: async () => [],
      ...o,
    }) as CredentialStore;
  test('the credential store: the keychain is fine; the file fallback is a warning with its reason; the file by choice is fine; none is a failure', async () => {
    const { ctx } = scratchContext();
    const p = ctx.platform;
    expect((await checkStore(p, Promise.resolve(store({})), () => undefined))[0]).toMatchObject({
      status: 'ok',
      message: expect.stringContaining('OS keychain reachable'),
    });
    const fallback = await checkStore(
      p,
      Promise.resolve(store({ kind: 'file', location: '/x/credentials.json', fallbackReason: 'no D-Bus session bus' })),
      () => undefined,
    );
    expect(fallback[0]).toMatchObject({ status: 'warn', message: expect.stringContaining('no OS keychain (no D-Bus session bus)') });
    expect((await checkStore(p, Promise.resolve(store({ kind: 'file', location: '/x/credentials.json' })), () => undefined))[0].status).toBe('ok');
    const none = await checkStore(p, Promise.resolve(undefined), () => ({
      message: 'MCPWIRE_CREDENTIAL_STORE=keychain, but no OS keychain is reachable',
      fix: 'unlock it',
    }));
    expect(none[0]).toMatchObject({ status: 'fail', fix: 'unlock it' });
  });

  test('Node older than 20.19 fails; 20.19 and later pass', () => {
    expect(checkNode('v20.18.3')[0].status).toBe('fail');
    expect(checkNode('v20.19.0')[0].status).toBe('ok');
    expect(checkNode('v24.1.0')[0].status).toBe('ok');
  });

  test('HTTPS_PROXY: said not honoured without NODE_USE_ENV_PROXY (its password masked), honoured with it on Node 24', () => {
    const off = checkProxy({ HTTPS_PROXY: 'http://user:hunter2@proxy.corp:3128', NO_PROXY: 'localhost' }, 'v24.1.0')[0];
    expect(off).toMatchObject({ status: 'warn', fix: 'export NODE_USE_ENV_PROXY=1' });
    expect(off.message).not.toContain('hunter2');
    expect(off.message).toContain('NO_PROXY=localhost');
    expect(checkProxy({ HTTPS_PROXY: 'http://proxy.corp:3128', NODE_USE_ENV_PROXY: '1' }, 'v24.1.0')[0].status).toBe('ok');
    expect(checkProxy({ HTTPS_PROXY: 'http://proxy.corp:3128', NODE_USE_ENV_PROXY: '1' }, 'v20.19.0')[0].status).toBe('warn');
    expect(checkProxy({}, 'v24.1.0')[0].status).toBe('ok');
  });
});

describe('rendering', () => {
  const report = {
    ok: false,
    servers: [{ name: 'demo', url: 'https://mcp.example.com/' }],
    checks: [
      { id: 'server.tcp', subject: 'demo', server: 'demo', status: 'ok' as const, message: 'connects' },
      {
        id: 'client.shape',
        subject: 'demo/cursor',
        server: 'demo',
        target: 'cursor',
        status: 'fail' as const,
        message: 'bad \u001b[2J shape',
        fix: 'mcpwire doctor demo --fix',
      },
      { id: 'env.node', subject: 'environment', status: 'warn' as const, message: 'old node', fix: 'nvm install 24' },
    ],
  };

  test('without colour: plain marks, grouped by server then client, the fix under the problem, control characters escaped', () => {
    const t = testIO({ color: false });
    renderDoctorReport(report, t.io);
    expect(t.stdout).toBe(
      [
        'demo  https://mcp.example.com/',
        '  ✓ connects',
        '  cursor',
        '    ✗ bad \\x1b[2J shape',
        '      fix: mcpwire doctor demo --fix',
        '',
        'environment',
        '  ! old node',
        '    fix: nvm install 24',
        '',
        '1 failed, 1 warning, 1 ok',
        '',
      ].join('\n'),
    );
  });

  test('no server at all: said, with the command that adds one', () => {
    const t = testIO();
    renderDoctorReport({ ok: true, checks: [], servers: [] }, t.io);
    expect(t.stdout).toMatch(/^No servers to check: .*\n {2}fix: mcpwire setup SERVER/);
  });

  test('with colour: the marks are coloured', () => {
    const t = testIO({ color: true });
    renderDoctorReport(report, t.io);
    expect(t.stdout).toContain('\u001b[31m✗\u001b[39m');
    expect(t.stdout).toContain('\u001b[32m✓\u001b[39m');
  });
});

describe('entries read back', () => {
  test('env references in every client syntax', () => {
    expect(envRefs('Bearer ${env:A} ${B} ${C:-x} $D')).toEqual([
      { name: 'A', hasDefault: false },
      { name: 'B', hasDefault: false },
      { name: 'C', hasDefault: true },
      { name: 'D', hasDefault: false },
    ]);
  });

  test("--fix keeps references as references and literals as literals (Codex's bearer_token becomes the header it meant)", () => {
    const { ctx, write } = scratchContext();
    write('.codex/config.toml', '[mcp_servers.x]\nurl = "https://h/mcp"\nbearer_token = "lit"\nenv_http_headers = { "X-Org" = "ORG" }\n');
    write(
      '.cursor/mcp.json',
      JSON.stringify({ mcpServers: { y: { url: 'https://h/mcp', headers: { Authorization: 'Bearer ${env:TOK}', 'X-Team': 'blue' } } } }),
    );
    const { entries } = scanClients(ctx.platform, ctx.targets, TARGETS);
    const codex = specOf(entries.find((e) => e.name === 'x')!);
    expect(codex.headers).toEqual([{ name: 'Authorization', value: 'Bearer lit' }]);
    expect(codex.headerEnvs).toEqual([{ name: 'X-Org', variable: 'ORG' }]);
    const cursor = specOf(entries.find((e) => e.name === 'y')!);
    expect(cursor.headerEnvs).toEqual([{ name: 'Authorization', variable: 'TOK' }]);
    expect(cursor.headers).toEqual([{ name: 'X-Team', value: 'blue' }]);
  });
});

describe('the doctor command in-process (through the real program)', () => {
  const load = ((name: string) => {
    if (name !== 'doctor') throw new Error(`bundle ${name} is not loaded in-process`);
    return doctorBundle;
  }) as LoadBundle;

  test('`doctor NAME --json`: the report on stdout, exit 1 for a failed check; --timeout must be a number of seconds', async () => {
    const { ctx, t, write } = scratchContext();
    write('.claude.json', JSON.stringify({ mcpServers: { x: { url: 'ftp://h/' } } }));
    expect(await main(['node', 'mcpwire', 'doctor', 'x', '--json'], { load, context: ctx })).toBe(1);
    const report = t.json();
    expect(report.ok).toBe(false);
    expect(report.checks).toEqual(expect.arrayContaining([expect.objectContaining({ id: 'client.shape', subject: 'x/claude-code', status: 'fail' })]));
    const bad = scratchContext();
    bad.write('.claude.json', JSON.stringify({ mcpServers: { x: { type: 'http', url: 'ftp://h/' } } }));
    expect(await main(['node', 'mcpwire', 'doctor', '--timeout', 'soon', '--json'], { load, context: bad.ctx })).toBe(2);
    expect(bad.t.json().error.message).toMatch(/--timeout soon is not a number of seconds/);
  });
});

describe('the proxy in effect for a URL', () => {
  const on = { HTTPS_PROXY: 'http://proxy.corp:3128', NODE_USE_ENV_PROXY: '1' };
  test('honoured on Node 24 with NODE_USE_ENV_PROXY=1; not on Node 20, nor without the flag', () => {
    expect(proxyFor(on, 'v24.1.0', new URL('https://mcp.example.com/'))).toBe('http://proxy.corp:3128');
    expect(proxyFor(on, 'v20.19.0', new URL('https://mcp.example.com/'))).toBeUndefined();
    expect(proxyFor({ HTTPS_PROXY: on.HTTPS_PROXY }, 'v24.1.0', new URL('https://mcp.example.com/'))).toBeUndefined();
  });
  test('NO_PROXY: exact hosts, domain suffixes, *', () => {
    const url = new URL('https://mcp.example.com/');
    expect(proxyFor({ ...on, NO_PROXY: 'localhost,.example.com' }, 'v24.1.0', url)).toBeUndefined();
    expect(proxyFor({ ...on, NO_PROXY: 'example.com' }, 'v24.1.0', url)).toBeUndefined();
    expect(proxyFor({ ...on, NO_PROXY: 'mcp.example.com:443' }, 'v24.1.0', url)).toBeUndefined();
    expect(proxyFor({ ...on, NO_PROXY: '*' }, 'v24.1.0', url)).toBeUndefined();
    expect(proxyFor({ ...on, NO_PROXY: 'other.com,ample.com' }, 'v24.1.0', url)).toBe(on.HTTPS_PROXY);
  });
});
