/**
 * What the bridge presents to the server. The relay knows only this interface: the keychain login
 * (OAuth tokens refreshed under the `auth token` lock, or a stored API key) plugs in here without
 * touching the relay.
 */

/** No credential can be presented: every request is answered with this error, whose text is the fix. */
export class CredentialError extends Error {
  constructor(
    message: string,
    readonly fix: string,
  ) {
    super(message);
    this.name = 'CredentialError';
  }
}

export interface Credential {
  /** What the entry configures: nothing, fixed headers, or headers that cannot be built (the keychain login may stand in). */
  readonly kind?: 'none' | 'static' | 'broken';
  /** Headers for the next request. Throws CredentialError when the login is gone. */
  headers(): Promise<Record<string, string>>;
  /** After a 401 to a request sent with `refused`: true = retry once with new headers(). */
  refreshAfter401(refused: Record<string, string>): Promise<boolean>;
  /** The server refused us (401/403) and nothing can be refreshed: what the user should do. */
  refusedFix(): string;
}

/** A server that needs nothing (or a login mcpwire does not have yet: a 401 says how to get one). */
export function noCredential(name: string): Credential {
  return {
    kind: 'none',
    headers: async () => ({}),
    refreshAfter401: async () => false,
    refusedFix: () => `Run \`mcpwire auth login ${name}\` (the server asks for a login), then restart the client.`,
  };
}

/** Headers fixed for the bridge's life: from the entry's env (MCPWIRE_HEADER_<n>) and --header / --header-env. */
export function staticCredential(name: string, headers: Record<string, string>): Credential {
  return {
    kind: 'static',
    headers: async () => ({ ...headers }),
    refreshAfter401: async () => false,
    refusedFix: () => `The server refused the headers configured for ${name}: check them (\`mcpwire mcp list\`), or run \`mcpwire auth login ${name}\`.`,
  };
}

/** A credential that cannot be built (a variable that is not set): every request gets the fix. */
export function brokenCredential(error: CredentialError): Credential {
  return {
    kind: 'broken',
    headers: async () => {
      throw error;
    },
    refreshAfter401: async () => false,
    refusedFix: () => error.fix,
  };
}

const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Headers the bridge manages itself: a configured value would break the protocol. */
const RESERVED = new Set(['content-type', 'accept', 'mcp-session-id', 'mcp-protocol-version', 'mcp-method', 'mcp-name', 'content-length', 'host']);

/**
 * The static headers of an entry, in the convention src/targets/claude-desktop.ts writes:
 * MCPWIRE_HEADER_1, _2, … = "Name: value" in the environment; `--header "K: V"`; `--header-env K=VAR`
 * (the value from the bridge's environment). Values are never echoed in errors: they are secrets.
 */
export function headersFromConfig(name: string, opts: { header?: string[]; headerEnv?: string[] }, env: NodeJS.ProcessEnv): Credential {
  const out: Record<string, string> = {};
  const add = (key: string, value: string, where: string) => {
    if (!HEADER_NAME.test(key))
      throw new CredentialError(
        `${where}: "${key.replace(/[^\x20-\x7e]/g, '?')}" is not a valid header name.`,
        `Fix the entry: \`mcpwire mcp add ${name} --header "Name: value"\`.`,
      );
    if (RESERVED.has(key.toLowerCase())) throw new CredentialError(`${where}: the bridge sets ${key} itself.`, `Remove that header from the entry.`);
    if (/[\r\n\0]/.test(value))
      throw new CredentialError(`${where}: the value of ${key} holds a line break.`, `Fix the value (\`mcpwire mcp add ${name}\` again).`);
    out[key] = value.trim();
  };
  const literal = (spec: string, where: string) => {
    const colon = spec.indexOf(':');
    if (colon <= 0) throw new CredentialError(`${where}: expected "Name: value".`, `Fix the entry: \`mcpwire mcp add ${name} --header "Name: value"\`.`);
    add(spec.slice(0, colon).trim(), spec.slice(colon + 1), where);
  };
  try {
    for (let n = 1; env[`MCPWIRE_HEADER_${n}`] !== undefined; n++) literal(env[`MCPWIRE_HEADER_${n}`]!, `MCPWIRE_HEADER_${n}`);
    for (const h of opts.header ?? []) literal(h, '--header');
    for (const h of opts.headerEnv ?? []) {
      const eq = h.indexOf('=');
      if (eq <= 0)
        throw new CredentialError(
          `--header-env ${h.replace(/[^\x20-\x7e]/g, '?')}: expected NAME=VARIABLE.`,
          `Fix the entry: \`mcpwire mcp add ${name} --header-env "Name=VARIABLE"\`.`,
        );
      const variable = h.slice(eq + 1);
      const value = env[variable];
      if (value === undefined || value === '') {
        throw new CredentialError(
          `${name}: the environment variable ${variable} (for the ${h.slice(0, eq)} header) is not set where the client starts the bridge.`,
          `Set ${variable} in the entry's "env" (or for the client app), or run \`mcpwire auth login ${name}\`, then restart the client.`,
        );
      }
      add(h.slice(0, eq), value, `--header-env ${h.slice(0, eq)}`);
    }
  } catch (e) {
    if (e instanceof CredentialError) return brokenCredential(e);
    throw e;
  }
  return Object.keys(out).length ? staticCredential(name, out) : noCredential(name);
}
