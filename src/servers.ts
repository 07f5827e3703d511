/**
 * Which server to write, from flags: presets (src/presets), a URL, or what mcpwire already knows; and
 * the checks that keep hostile input out of the clients' files (a URL or header that would be written
 * as is must not carry control characters, and a secret must be recognised as one).
 */
import { UserError } from './errors.js';
import { PRESETS, type Preset } from './presets/index.js';
import type { KnownServer } from './state.js';
import type { ServerSpec } from './targets/types.js';
import { printable } from './ui.js';

export { PRESETS, type Preset } from './presets/index.js';

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export function validateName(name: string): string {
  if (!NAME_RE.test(name)) {
    throw new UserError(`"${printable(name)}" is not a usable server name: use letters, digits, "-" and "_" (at most 64), starting with a letter or digit.`, {
      fix: 'Pass --name with a name like "pelcro" or "pelcro-staging".',
    });
  }
  return name;
}

/** C0 controls, DEL and C1 controls: never part of a URL or a header value we write. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
/** A header value may hold spaces and tabs (RFC 9110 field-value), but no other control character. */
const VALUE_CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/;
/** RFC 9110 token: the characters a header name may hold. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Query parameters that carry a credential (`?token=`, `?api_key=`, `?access_token=`, `?sig=`, …): a URL
 * holding one is a literal secret, like a literal header.
 */
const CREDENTIAL_PARAM = /^(?:.*[_.-])?(?:token|key|apikey|secret|password|passwd|pwd|sig|signature|auth|credentials?)$/i;

export function credentialInQuery(url: URL): string | undefined {
  if (url.search === '') return undefined; // no query: the parameters' object (~0.2 ms to set up) is not needed
  for (const k of url.searchParams.keys()) if (CREDENTIAL_PARAM.test(k)) return k;
  return undefined;
}

/** The URL as it may be shown to a person: credential parameters' values masked, control characters escaped. */
export function showUrl(raw: string): string {
  return printable(raw.replace(/([?&])([^=&#]*)=([^&#]*)/g, (m, sep: string, k: string) => (CREDENTIAL_PARAM.test(k) ? `${sep}${k}=***` : m)));
}

export function parseUrl(raw: string): URL {
  // WHATWG `new URL` silently drops tabs, line breaks and surrounding spaces; the raw string is what
  // would be written to the files, so it is checked as given.
  const control = CONTROL.exec(raw);
  if (control) {
    throw new UserError(`The URL "${showUrl(raw)}" holds a control character (${printable(control[0])}); it would be written into the clients' files as is.`, {
      fix: 'Pass the address alone, without line breaks, tabs or escape characters, e.g. --url https://mcp.pelcro.com/',
    });
  }
  if (/\s/.test(raw)) {
    const where = raw.trim() !== raw ? 'starts or ends with whitespace' : 'holds a space';
    throw new UserError(`The URL "${showUrl(raw)}" ${where}.`, {
      fix: 'Pass the address exactly, without spaces (a space inside a path is written %20), e.g. --url https://mcp.pelcro.com/',
    });
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UserError(`"${showUrl(raw)}" is not a URL.`, { fix: "Pass the server's full address, e.g. --url https://mcp.pelcro.com/" });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UserError(`"${showUrl(raw)}" is not an http(s) URL.`, { fix: 'MCP servers are reached over https://; pass --url https://…' });
  }
  if (url.username || url.password) {
    throw new UserError("The URL holds a user name or password; it would end up in every client's config.", {
      fix: 'Pass credentials with --header-env "Authorization=VAR" (or log in with `mcpwire auth login`), not in the URL.',
    });
  }
  return url;
}

const LOOPBACK = /^(localhost|.*\.localhost|127\.\d+\.\d+\.\d+|\[::1\]|::1)$/;
/** A host name that never leaves this machine (plain http to it is local development, not a risk). */
export const isLoopbackHost = (hostname: string): boolean => LOOPBACK.test(hostname);

/**
 * Plain http to another machine: whatever a client sends the server (a login's tokens, an API key, the
 * user's data) crosses the network readable and changeable. Written when asked, with this warning.
 */
export function plainHttpWarning(raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' || isLoopbackHost(url.hostname)) return undefined;
  return `${showUrl(raw)} is plain http: what the clients send it (tokens, API keys, your data) crosses the network unencrypted, readable and changeable on the way. Use its https:// address if it has one.`;
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
  name = name
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return name || 'mcp';
}

export function findPreset(name: string): Preset | undefined {
  return PRESETS.find((p) => p.name === name.toLowerCase());
}

export function presetUrl(preset: Preset, env = 'production'): string {
  const url = preset.urls[env];
  if (!url) {
    throw new UserError(`${preset.title} has no known ${printable(env)} URL.`, {
      fix: `Use --env ${Object.keys(preset.urls).join(' or --env ')}, or pass the URL yourself: --url https://…`,
    });
  }
  return url;
}

/** Spaces and tabs around a name or value (RFC 9110 OWS); never line breaks, which are refused. */
const trimOws = (s: string) => s.replace(/^[ \t]+|[ \t]+$/g, '');

/**
 * `--header "K: V"`. An error names the header, never its value (the value is usually a secret); a
 * header without a name is named by its position.
 */
export function parseHeader(raw: string, position = 0): { name: string; value: string } {
  const i = raw.indexOf(':');
  const name = i > 0 ? trimOws(raw.slice(0, i)) : '';
  if (!name) {
    throw new UserError(`--header #${position + 1} is not "Name: value" (no name before a ":"; its text is not shown, it may be a secret).`, {
      fix: 'Write it as --header "X-Org: acme".',
    });
  }
  if (!TOKEN.test(name)) {
    throw new UserError(`--header "${printable(name)}: …": "${printable(name)}" is not a header name (letters, digits and !#$%&'*+-.^_\`|~ only, RFC 9110).`, {
      fix: 'Write it as --header "X-Org: acme".',
    });
  }
  const value = trimOws(raw.slice(i + 1));
  if (VALUE_CONTROL.test(value)) {
    throw new UserError(
      `The value of --header "${printable(name)}" holds a control character (a line break, NUL or escape); a client would send a broken or injected header. The value is not shown.`,
      {
        fix: `Pass the value on one line, without control characters: --header "${printable(name)}: VALUE".`,
      },
    );
  }
  return { name, value };
}

/** `--header-env "K=VAR"` (no secret in it: the value is a variable name). */
export function parseHeaderEnv(raw: string): { name: string; variable: string } {
  const i = raw.indexOf('=');
  const name = i > 0 ? trimOws(raw.slice(0, i)) : '';
  const variable = trimOws(raw.slice(i + 1));
  if (!TOKEN.test(name) || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(variable)) {
    throw new UserError(`--header-env "${printable(raw)}" is not "Header=VARIABLE".`, {
      fix: 'Write it as --header-env "Authorization=PELCRO_TOKEN" (the variable holds the bare token).',
    });
  }
  return { name, variable };
}

export function buildSpec(o: { name: string; url: string; headers?: string[]; headerEnvs?: string[] }): ServerSpec {
  const url = parseUrl(o.url);
  const headers = (o.headers ?? []).map((h, i) => parseHeader(h, i));
  const headerEnvs = (o.headerEnvs ?? []).map(parseHeaderEnv);
  const seen = new Set<string>();
  for (const h of [...headers, ...headerEnvs]) {
    const k = h.name.toLowerCase();
    if (seen.has(k)) throw new UserError(`The header ${h.name} is given twice.`, { fix: 'Give each header once, with --header or --header-env.' });
    seen.add(k);
  }
  const secretInUrl = credentialInQuery(url);
  return { name: validateName(o.name), url: o.url, headers, headerEnvs, ...(secretInUrl ? { secretInUrl } : {}) };
}

export interface ServerFlags {
  server?: string;
  url?: string;
  name?: string;
  account?: string;
  env?: string;
  header?: string[];
  headerEnv?: string[];
}

/** The server to write: from --url / SERVER (preset or URL) / what setup or auth login recorded. */
export function resolveServer(known: { state: { cached(k: 'servers'): Record<string, KnownServer> } }, o: ServerFlags): ServerSpec {
  let url = o.url;
  let name = o.name;
  const headers = o.header ?? [];
  let headerEnvs = o.headerEnv ?? [];
  if (o.server) {
    const preset = findPreset(o.server);
    const isUrl = /^\s*https?:\/\//i.test(o.server);
    if (!url) {
      if (preset) {
        url = presetUrl(preset, o.env);
        name ??= preset.name;
      } else if (isUrl) url = o.server;
      else name ??= o.server;
    } else if (isUrl) {
      // Neither URL is echoed: a URL can carry a credential in its query.
      if (o.server.trim() !== url.trim()) throw new UserError('Two different URLs were given: the first argument and --url.', { fix: 'Pass the URL once.' });
    } else {
      // With --url, the first argument names the entry (a preset: the preset's name).
      const given = preset ? preset.name : o.server;
      if (name !== undefined && name !== given)
        throw new UserError(`Two names were given: "${printable(o.server)}" and --name "${printable(name)}".`, {
          fix: 'Pass the name once: the first argument, or --name.',
        });
      name = given;
    }
  }
  if (!url) {
    const servers = known.state.cached('servers');
    const names = Object.keys(servers);
    const own = (k: string) => (Object.hasOwn(servers, k) ? servers[k] : undefined);
    const rec: KnownServer | undefined = name
      ? (own(name) ?? (o.account ? own(`${name}-${o.account}`) : undefined))
      : names.length === 1
        ? servers[names[0]]
        : undefined;
    if (!rec) {
      throw new UserError(
        name ? `No server named "${printable(name)}" is known to mcpwire.` : 'Which server? No --url was given and mcpwire knows no single server.',
        {
          fix: `Pass --url https://… (or a preset: ${PRESETS.map((p) => p.name).join(', ')}).`,
        },
      );
    }
    url = rec.url;
    name ??= rec.name;
    if (headerEnvs.length === 0 && headers.length === 0 && rec.headerEnvs) headerEnvs = rec.headerEnvs.map((h) => `${h.name}=${h.variable}`);
  }
  name ??= nameFromUrl(parseUrl(url));
  if (o.account) name = `${name}-${validateName(o.account)}`;
  return buildSpec({ name, url, headers, headerEnvs });
}
