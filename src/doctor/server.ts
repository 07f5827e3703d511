/**
 * Every check of one server, started at once: DNS, TCP, TLS, the MCP conversation with the stored
 * credential, the authorization discovery without one, the preset's health endpoint. When a lower layer
 * fails, the failures above it say nothing new and are dropped (the DNS line explains them).
 */
import type { CredentialStore } from '../auth/store/common.js';
import { isObject } from '../mcp/jsonrpc.js';
import type { Platform } from '../platform.js';
import { PRESETS, type Preset } from '../presets/index.js';
import { plainHttpWarning, showUrl } from '../servers.js';
import { printable } from '../ui.js';
import { checkClock, checkLoopbackPort, checkStored, probeAuth } from './auth.js';
import { deadline, fail, guard, ok, sh, warn, type Where } from './engine.js';
import { describeFetchError, getJson } from './http.js';
import { probeMcp } from './mcp.js';
import { proxyFor } from './environment.js';
import { checkDns, checkTcp, checkTls } from './network.js';
import type { DoctorCheck } from './types.js';

export interface ServerToCheck {
  name: string;
  url: string;
  /** How mcpwire recorded that the server signs in (setup): an API-key server has no OAuth to discover. */
  auth?: 'oauth' | 'api-key' | 'none';
}

/** The preset whose URLs share this URL's origin, and the environment the URL is for. */
export function presetFor(url: string): { preset: Preset; env?: string } | undefined {
  let origin: string;
  try {
    origin = new URL(url).origin;
  } catch {
    return undefined;
  }
  for (const preset of PRESETS) {
    for (const [env, u] of Object.entries(preset.urls)) if (new URL(u).origin === origin) return { preset, env };
  }
  return undefined;
}

export async function checkHealth(w: Where, url: URL, preset: Preset, env: string | undefined, timeoutMs: number, signal: AbortSignal): Promise<DoctorCheck[]> {
  const target = new URL(preset.health!, url.origin).href;
  try {
    const x = await getJson(target, { timeoutMs, signal, describe: () => 'health' });
    const body = isObject(x.json) ? x.json : {};
    const s = (k: string) => (typeof body[k] === 'string' ? printable(body[k] as string) : undefined);
    if (x.status !== 200)
      return [fail(w, 'server.health', `${preset.title} health (${target}): HTTP ${x.status}`, `Check ${preset.title}'s status page; try again later.`)];
    const environment = s('environment');
    const line = `${preset.title} health: ${s('status') ?? 'answered'}${s('version') ? `, version ${s('version')}` : ''}${environment ? `, environment ${environment}` : ''}`;
    const staging = env === 'staging' || environment === 'staging';
    if (staging)
      return [
        warn(
          w,
          'server.health',
          `${line}: this is ${preset.title}'s STAGING server`,
          `mcpwire mcp add ${sh(preset.name)} --url ${sh(preset.urls.production)} --force`,
        ),
      ];
    if (s('status') && !/^(ok|healthy|up|pass)$/i.test(s('status')!)) return [warn(w, 'server.health', line, `Check ${preset.title}'s status page.`)];
    return [ok(w, 'server.health', line)];
  } catch (e) {
    return [fail(w, 'server.health', `${preset.title} health (${target}): ${describeFetchError(e)}`, `Check ${preset.title}'s status page; try again later.`)];
  }
}

/** How long the requests wait for the connection checks to finish before they start anyway (ms). */
const CONNECT_HEAD_START_MS = 250;

export async function checkServer(
  s: ServerToCheck,
  o: {
    platform: Platform;
    timeoutMs: number;
    store: Promise<CredentialStore | undefined>;
    /** Every server's TCP check of this doctor run (shared): see below. */
    connections?: Promise<unknown>[];
  },
): Promise<DoctorCheck[]> {
  const w: Where = { subject: s.name, server: s.name };
  let url: URL;
  try {
    url = new URL(s.url);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('not http(s)');
  } catch {
    return [fail(w, 'server.url', `"${showUrl(s.url)}" is not an http(s) URL`, `mcpwire mcp add ${sh(s.name)} --url https://… --force`)];
  }
  const t = o.timeoutMs;
  const now = o.platform.now();
  const found = presetFor(s.url);
  const dns = guard(w, 'server.dns', t, () => checkDns(w, url));
  const tcp = guard(w, 'server.tcp', t, (signal) => checkTcp(w, url, signal));
  const tls =
    url.protocol === 'https:' ? guard(w, 'server.tls', t, (signal) => checkTls(w, url, signal, o.platform.env)) : Promise.resolve([] as DoctorCheck[]);
  // The connection checks time the network, and this thread's own work in their time is counted as
  // theirs: the first request of the run compiles the SDK's request code (~20 ms on an idle machine,
  // over a second on a loaded one), and a local TCP connect "took 820 ms". So the requests start once
  // every server's TCP check of the run is done (each server adds its own before its first await), or
  // after CONNECT_HEAD_START_MS, whichever comes first.
  const connections = o.connections ?? [];
  connections.push(tcp);
  await null;
  let headStart: (() => void) | undefined;
  await Promise.race([Promise.all(connections), new Promise<void>((r) => (headStart = deadline(CONNECT_HEAD_START_MS, r)))]);
  headStart?.();
  // (Made only now: a promise nothing waits on yet must not reject, as it does for a name that cannot name a login.)
  const stored = (async () => {
    const store = await o.store;
    return store
      ? checkStored(w, { name: s.name, url: s.url, store, now })
      : { checks: [], headers: {} as Record<string, string>, record: undefined, source: undefined, apiKey: false };
  })();
  const groups = await Promise.all([
    dns,
    tcp,
    tls,
    // The conversation takes a few requests, each with its own limit.
    guard(w, 'mcp.handshake', t * 4, async (signal) => {
      const cred = await stored;
      const r = await probeMcp(w, { url: s.url, credential: cred.headers, credentialSource: cred.source, name: s.name, timeoutMs: t, signal });
      return [...r.checks, ...checkClock(w, r.date, o.platform.now())];
    }),
    guard(w, 'auth.discovery', t * 6, async (signal) => {
      const cred = await stored;
      if (cred.apiKey || s.auth === 'api-key')
        return [
          ok(
            w,
            'auth.discovery',
            `${s.name} takes a static API key${cred.apiKey ? ' (stored by mcpwire)' : ''}, not OAuth: no authorization server to discover`,
          ),
        ];
      return (await probeAuth(w, { url: s.url, name: s.name, timeoutMs: t, signal, record: cred.record })).checks;
    }),
    guard(w, 'auth.stored', t, async () => {
      const cred = await stored;
      return [...cred.checks, ...(await checkLoopbackPort(w, cred.record, s.name))];
    }),
    found?.preset.health
      ? guard(w, 'server.health', t, (signal) => checkHealth(w, url, found.preset, found.env, t, signal))
      : Promise.resolve([] as DoctorCheck[]),
  ]);
  const insecure = plainHttpWarning(s.url);
  let all = [...(insecure ? [warn(w, 'server.url', insecure, `mcpwire mcp add ${sh(s.name)} --url https://… --force`)] : []), ...groups.flat()];
  // Through a proxy, mcpwire's requests do not depend on reaching the host directly: a direct failure is a warning.
  if (proxyFor(o.platform.env, process.version, url)) {
    all = all.map((c) =>
      LAYERS.includes(c.id) && c.status === 'fail'
        ? { ...c, status: 'warn' as const, message: `${c.message} (direct; requests go through the proxy in HTTPS_PROXY)` }
        : c,
    );
  }
  // A name that does not resolve, a port that refuses, a certificate not trusted: every request above
  // that layer failed for that reason, and says nothing new.
  const failedLayer = LAYERS.findIndex((id) => all.some((c) => c.id === id && c.status === 'fail'));
  if (failedLayer === -1) return all;
  return all.filter((c) => !(c.status === 'fail' && layerOf(c.id) > failedLayer));
}

const LAYERS = ['server.dns', 'server.tcp', 'server.tls'];
/** The network layer a check depends on: its own index, or above all of them (local checks: none). */
function layerOf(id: string): number {
  const i = LAYERS.indexOf(id);
  if (i !== -1) return i;
  return id === 'auth.stored' || id === 'auth.loopback-port' ? -1 : LAYERS.length;
}
