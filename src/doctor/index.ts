/**
 * `runDoctor`: every check, started at once, each with its own time limit; what it found, as values.
 * Which servers: the names asked for, else every server mcpwire recorded plus every remote or bridge
 * entry of any client file. `mcpwire doctor` renders the report; `mcpwire setup` runs it on what it wrote.
 */
import { openCredentialStore, type CredentialStore } from '../auth/store/index.js';
import type { Context } from '../commands/context.js';
import { findPreset, PRESETS, presetUrl, showUrl } from '../servers.js';
import { TARGETS } from '../targets/index.js';
import { checkAcrossEntries, checkEntry, sameUrl, scanClients, type ScannedEntry } from './clients.js';
import { bridgeChecks, deepChecks } from './deep.js';
import { DEFAULT_CHECK_TIMEOUT_S, fail, guard, sh, warn } from './engine.js';
import { checkNode, checkProxy, checkStore } from './environment.js';
import { loadFetch } from './http.js';
import { checkServer } from './server.js';
import type { DoctorCheck, RunDoctor } from './types.js';

export type { CheckStatus, DoctorCheck, DoctorOptions, DoctorReport, RunDoctor } from './types.js';
export { renderDoctorReport } from './render.js';

/** The servers to check: name → URL, from the names asked for, mcpwire's record, the client files, the presets. */
export function serversToCheck(names: readonly string[] | undefined, recorded: Record<string, { url: string }>, entries: readonly ScannedEntry[]) {
  const fromEntries = new Map<string, string>();
  for (const e of entries) if (e.read.url && !fromEntries.has(e.name) && !e.shadowedBy) fromEntries.set(e.name, e.read.url);
  const urlOf = (n: string): string | undefined => {
    if (Object.hasOwn(recorded, n)) return recorded[n].url;
    if (fromEntries.has(n)) return fromEntries.get(n);
    const preset = findPreset(n);
    return preset ? presetUrl(preset) : undefined;
  };
  const wanted = names?.length ? [...names] : [...new Set([...Object.keys(recorded), ...fromEntries.keys()])];
  return wanted.map((name) => ({ name, url: urlOf(name) }));
}

export const runDoctor: RunDoctor = async (ctx, opts) => {
  const p = ctx.platform;
  const timeoutMs = Math.max(0.1, opts.timeoutSeconds ?? DEFAULT_CHECK_TIMEOUT_S) * 1000;
  const targets = opts.targets?.length ? TARGETS.filter((t) => opts.targets!.includes(t.id)) : TARGETS;
  const checks: DoctorCheck[] = [];

  let recorded: Record<string, { url: string; auth?: 'oauth' | 'api-key' | 'none' }> = {};
  try {
    // Only well-formed records: the state file is ours, but it is still a file.
    const raw = ctx.state.read('servers') as unknown;
    if (raw && typeof raw === 'object')
      recorded = Object.fromEntries(
        Object.entries(raw).filter((kv): kv is [string, { url: string }] => typeof (kv[1] as { url?: unknown } | null)?.url === 'string'),
      );
  } catch (e) {
    checks.push(fail({ subject: 'environment' }, 'env.state', (e as Error).message, (e as { fix?: string }).fix));
  }
  const scan = scanClients(p, ctx.targets, targets);
  const servers = serversToCheck(opts.names, recorded, scan.entries);
  const chosen = new Set(servers.map((s) => s.name));
  const entries = scan.entries.filter((e) => chosen.has(e.name));

  // The store is opened once (its keychain probe may take a moment), shared by every server's checks.
  let storeError: unknown;
  const store: Promise<CredentialStore | undefined> = openCredentialStore({ platform: p, announce: () => {} }).catch((e) => {
    storeError = e;
    return undefined;
  });

  // The MCP SDK and Node's own fetch are loaded here, before any check's clock starts: each load blocks
  // the event loop, and a timer that fires after such a block would call a prompt answer a timeout.
  // Node loads fetch (undici) on its first use, ~40-50 ms on an idle machine and far more on a loaded
  // one: inside a request's time it was read as the server's (a local TCP connect "took 854 ms"). (A
  // wait the SDK's own request timer ends first is still the server's silence: see recordingFetch.)
  if (servers.some((s) => s.url)) {
    await import('./sdk.js');
    loadFetch();
  }

  const connections: Promise<unknown>[] = [];
  const [serverChecks, envChecks, deep, bridges] = await Promise.all([
    Promise.all(
      servers.map((s) =>
        s.url
          ? checkServer(
              { name: s.name, url: s.url, auth: Object.hasOwn(recorded, s.name) ? recorded[s.name].auth : undefined },
              { platform: p, timeoutMs, store, connections },
            )
          : Promise.resolve([
              fail(
                { subject: s.name, server: s.name },
                'server.unknown',
                `no server named "${s.name}" in mcpwire's record or any client file`,
                `mcpwire mcp add ${sh(s.name)} --url https://… (or: mcpwire mcp list)`,
              ),
            ]),
      ),
    ),
    Promise.all([
      Promise.resolve(checkNode(process.version)),
      guard({ subject: 'environment' }, 'env.keychain', timeoutMs, () => checkStore(p, store, () => storeError)),
      Promise.resolve(checkProxy(p.env, process.version)),
    ]),
    opts.deep ? deepChecks(p, entries, timeoutMs) : Promise.resolve([] as DoctorCheck[]),
    bridgeChecks(p, entries, timeoutMs, Boolean(opts.deep)),
  ]);

  // Per server: its own checks, then its entries in each client.
  for (const [i, s] of servers.entries()) {
    checks.push(...serverChecks[i]);
    for (const e of entries.filter((x) => x.name === s.name)) {
      checks.push(...checkEntry(p, e, ctx.targets));
      if (
        e.target.doctor?.ignoresHeadersWithOAuth &&
        e.read.kind === 'remote' &&
        e.read.headers &&
        Object.keys(e.read.headers).length &&
        advertisesOAuth(serverChecks[i]) &&
        s.url &&
        sameUrl(s.url, e.read.url ?? '')
      )
        checks.push(
          warn(
            { subject: `${e.name}/${e.target.id}`, server: e.name, target: e.target.id },
            'client.headers-ignored',
            `${e.target.name} ignores the configured headers (${Object.keys(e.read.headers).join(', ')}) because ${s.name} advertises OAuth: it will run its own login instead`,
            `Log in from ${e.target.name} (remove the headers), or use the bridge: mcpwire auth login ${sh(e.name)} && mcpwire setup ${sh(e.name)} --target ${e.target.id} --via bridge`,
          ),
        );
    }
  }
  // An entry of a checked name that points elsewhere than the URL checked (and than mcpwire's record, which checkAcrossEntries reports).
  for (const e of entries) {
    const s = servers.find((x) => x.name === e.name);
    if (!s?.url || !e.read.url || Object.hasOwn(recorded, e.name) || sameUrl(s.url, e.read.url)) continue;
    if (PRESETS.some((x) => x.urls.staging && sameUrl(x.urls.staging, e.read.url!))) continue; // said as staging already
    checks.push(
      warn(
        { subject: `${e.name}/${e.target.id}`, server: e.name, target: e.target.id },
        'client.url',
        `${e.name} in ${e.target.name} points at ${showUrl(e.read.url)}, not at ${showUrl(s.url)} (the URL checked above, from another client): that server was not checked`,
        `mcpwire mcp add ${sh(e.name)} --target ${e.target.id} --url ${sh(showUrl(s.url))} --force`,
      ),
    );
  }
  checks.push(...checkAcrossEntries(entries, Object.fromEntries(Object.entries(recorded).map(([k, v]) => [k, v.url]))));
  checks.push(...bridges, ...deep);
  checks.push(...scan.checks);
  checks.push(...envChecks.flat());
  return {
    ok: !checks.some((c) => c.status === 'fail'),
    checks,
    // A credential in a URL's query (`?token=`) is masked: the report may be pasted anywhere.
    servers: servers.flatMap((s) => (s.url !== undefined ? [{ name: s.name, url: showUrl(s.url) }] : [])),
  };
};

/** The server answered 401 and its resource metadata names an authorization server. */
function advertisesOAuth(checks: readonly DoctorCheck[]): boolean {
  return checks.some((c) => c.id === 'auth.resource-metadata' && c.status !== 'fail');
}

export type { Context };
