/**
 * This machine: the Node version mcpwire runs on, where credentials are kept (the OS keychain, or the
 * file fallback and why), and the proxy variables in effect (Node's fetch honours them only when told to).
 */
import type { CredentialStore } from '../auth/store/common.js';
import type { Platform } from '../platform.js';
import { printable } from '../ui.js';
import { fail, ok, warn, type Where } from './engine.js';
import type { DoctorCheck } from './types.js';

const W: Where = { subject: 'environment' };

/** 20.19 is the oldest Node mcpwire supports (require of ES modules, AbortSignal.any). */
export function checkNode(version: string): DoctorCheck[] {
  const [major, minor] = version.replace(/^v/, '').split('.').map(Number);
  const supported = major > 20 || (major === 20 && minor >= 19);
  return [
    supported
      ? ok(W, 'env.node', `Node ${version}`)
      : fail(
          W,
          'env.node',
          `Node ${version} is older than 20.19, the oldest mcpwire supports`,
          'Install Node 22 or 24 (https://nodejs.org, or `nvm install 24`).',
        ),
  ];
}

export async function checkStore(p: Platform, store: Promise<CredentialStore | undefined>, storeError: () => unknown): Promise<DoctorCheck[]> {
  const s = await store;
  if (!s) {
    const e = storeError() as { message?: string; fix?: string } | undefined;
    return [fail(W, 'env.keychain', `no credential store: ${printable(e?.message ?? 'unknown error')}`, e?.fix)];
  }
  if (s.kind === 'keychain') return [ok(W, 'env.keychain', `OS keychain reachable (${printable(s.location)})`)];
  if (s.fallbackReason)
    return [
      warn(
        W,
        'env.keychain',
        `no OS keychain (${printable(s.fallbackReason.split('\n')[0])}): tokens are kept in ${printable(s.location)}, mode 0600`,
        p.os === 'linux'
          ? 'Run a Secret Service (gnome-keyring or KeePassXC) in your session, or set MCPWIRE_CREDENTIAL_STORE=file to accept the file.'
          : undefined,
      ),
    ];
  return [ok(W, 'env.keychain', `credentials in ${printable(s.location)} (MCPWIRE_CREDENTIAL_STORE=file)`)];
}

/**
 * The proxy Node's fetch uses for this URL, if any: HTTPS_PROXY (HTTP_PROXY for http://) honoured with
 * NODE_USE_ENV_PROXY=1 on Node 22.21 / 24, unless NO_PROXY matches the host.
 */
export function proxyFor(env: Record<string, string | undefined>, nodeVersion: string, url: URL): string | undefined {
  const get = (k: string) => env[k] ?? env[k.toLowerCase()];
  const [major, minor] = nodeVersion.replace(/^v/, '').split('.').map(Number);
  if (env.NODE_USE_ENV_PROXY !== '1' || !(major >= 24 || (major === 22 && minor >= 21))) return undefined;
  const proxy = url.protocol === 'https:' ? get('HTTPS_PROXY') : get('HTTP_PROXY');
  if (!proxy) return undefined;
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  for (const raw of (get('NO_PROXY') ?? '').split(/[,\s]+/).filter(Boolean)) {
    const rule = raw.toLowerCase().replace(/:\d+$/, '');
    if (rule === '*' || host === rule.replace(/^\*?\./, '') || host.endsWith(rule.startsWith('.') ? rule : `.${rule.replace(/^\*\./, '')}`)) return undefined;
  }
  return proxy;
}

/** Which proxy variables are set, and whether Node's fetch (mcpwire's, and Node-based clients') uses them. */
export function checkProxy(env: Record<string, string | undefined>, nodeVersion: string): DoctorCheck[] {
  const get = (k: string) => env[k] ?? env[k.toLowerCase()];
  const proxy = get('HTTPS_PROXY') ?? get('HTTP_PROXY');
  if (!proxy) return [ok(W, 'env.proxy', 'no HTTPS_PROXY / HTTP_PROXY set (direct connections)')];
  let shown = proxy;
  try {
    const u = new URL(proxy);
    if (u.password) u.password = '***';
    shown = u.href;
  } catch {
    /* shown as is */
  }
  const noProxy = get('NO_PROXY');
  const [major, minor] = nodeVersion.replace(/^v/, '').split('.').map(Number);
  const canHonour = major >= 24 || (major === 22 && minor >= 21);
  const honoured = env.NODE_USE_ENV_PROXY === '1' && canHonour;
  const line = `proxy ${printable(shown)}${noProxy ? `, NO_PROXY=${printable(noProxy)}` : ''}`;
  if (honoured) return [ok(W, 'env.proxy', `${line}: honoured (NODE_USE_ENV_PROXY=1)`)];
  return [
    warn(
      W,
      'env.proxy',
      `${line}: Node's fetch ignores it${canHonour ? ' unless NODE_USE_ENV_PROXY=1' : ' (Node 22.21 / 24 honour it with NODE_USE_ENV_PROXY=1)'}, so mcpwire and Node-based clients connect directly`,
      canHonour ? 'export NODE_USE_ENV_PROXY=1' : 'Upgrade to Node 24, then export NODE_USE_ENV_PROXY=1',
    ),
  ];
}
