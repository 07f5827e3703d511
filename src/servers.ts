/** Presets (servers mcpwire knows by name) and how a server spec is built from flags. */
import { UserError } from './errors.js';
import type { ServerSpec } from './targets/types.js';

export interface Preset {
  name: string;
  title: string;
  /** URLs per environment; only the ones the vendor publishes. */
  urls: Record<string, string>;
}

export const PRESETS: readonly Preset[] = [
  { name: 'pelcro', title: 'Pelcro', urls: { production: 'https://mcp.pelcro.com/' } },
  { name: 'peel', title: 'Peel', urls: { production: 'https://api.peel.sh/mcp' } },
];

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export function validateName(name: string): string {
  if (!NAME_RE.test(name)) {
    throw new UserError(`"${name}" is not a usable server name: use letters, digits, "-" and "_" (at most 64), starting with a letter or digit.`, {
      fix: 'Pass --name with a name like "pelcro" or "pelcro-staging".',
    });
  }
  return name;
}

export function parseUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UserError(`"${raw}" is not a URL.`, { fix: 'Pass the server\'s full address, e.g. --url https://mcp.pelcro.com/' });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UserError(`"${raw}" is not an http(s) URL.`, { fix: 'MCP servers are reached over https://; pass --url https://…' });
  }
  if (url.username || url.password) {
    throw new UserError('The URL holds a user name or password; it would end up in every client\'s config.', {
      fix: 'Pass credentials with --header-env "Authorization=VAR" (or log in with `mcpwire auth login`), not in the URL.',
    });
  }
  return url;
}

export function isLoopback(url: URL): boolean {
  return url.hostname === 'localhost' || url.hostname === '[::1]' || /^127\./.test(url.hostname);
}

/** `mcp.pelcro.com` → `pelcro`, `api.peel.sh` → `peel`, `127.0.0.1` → `127-0-0-1`. */
export function nameFromUrl(url: URL): string {
  const labels = url.hostname.replace(/^\[|\]$/g, '').split('.');
  const isIp = /^\d+$/.test(labels[labels.length - 1]) || url.hostname.includes(':');
  let name: string;
  if (isIp) name = labels.join('-').replace(/:/g, '-');
  else {
    while (labels.length > 2 && ['mcp', 'api', 'www', 'app'].includes(labels[0])) labels.shift();
    name = labels.length >= 2 ? labels[labels.length - 2] : labels[0];
  }
  name = name.toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '');
  return name || 'mcp';
}

export function findPreset(name: string): Preset | undefined {
  return PRESETS.find((p) => p.name === name.toLowerCase());
}

export function presetUrl(preset: Preset, env = 'production'): string {
  const url = preset.urls[env];
  if (!url) {
    throw new UserError(`${preset.title} has no known ${env} URL.`, { fix: `Pass the URL yourself: --url https://… (known: ${Object.keys(preset.urls).join(', ')})` });
  }
  return url;
}

/** `--header "K: V"` */
export function parseHeader(raw: string): { name: string; value: string } {
  const i = raw.indexOf(':');
  const name = i > 0 ? raw.slice(0, i).trim() : '';
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
    throw new UserError(`--header "${raw}" is not "Name: value".`, { fix: 'Write it as --header "X-Org: acme".' });
  }
  return { name, value: raw.slice(i + 1).trim() };
}

/** `--header-env "K=VAR"` */
export function parseHeaderEnv(raw: string): { name: string; variable: string } {
  const i = raw.indexOf('=');
  const name = i > 0 ? raw.slice(0, i).trim() : '';
  const variable = raw.slice(i + 1).trim();
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name) || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(variable)) {
    throw new UserError(`--header-env "${raw}" is not "Header=VARIABLE".`, {
      fix: 'Write it as --header-env "Authorization=PELCRO_TOKEN" (the variable holds the bare token).',
    });
  }
  return { name, variable };
}

export function buildSpec(o: { name: string; url: string; headers?: string[]; headerEnvs?: string[] }): ServerSpec {
  parseUrl(o.url);
  const headers = (o.headers ?? []).map(parseHeader);
  const headerEnvs = (o.headerEnvs ?? []).map(parseHeaderEnv);
  const seen = new Set<string>();
  for (const h of [...headers, ...headerEnvs]) {
    const k = h.name.toLowerCase();
    if (seen.has(k)) throw new UserError(`The header ${h.name} is given twice.`, { fix: 'Give each header once, with --header or --header-env.' });
    seen.add(k);
  }
  return { name: validateName(o.name), url: o.url, headers, headerEnvs };
}
