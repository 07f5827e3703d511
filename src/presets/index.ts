/**
 * Vendor presets, as data: the servers mcpwire knows by name, with the URLs each vendor publishes per
 * environment. Help text, the `--env` choices and name resolution all read this one list.
 */
export interface Preset {
  name: string;
  title: string;
  /** URLs per environment; only the ones the vendor publishes. `production` is the default. */
  urls: Readonly<Record<string, string>>;
  /** The header an API key goes in (`auth login NAME --api-key`), when the vendor documents one; default `Authorization: Bearer`. */
  apiKeyHeader?: string;
  /** How the vendor authenticates: OAuth only, or OAuth or a static API key (`setup --api-key`). */
  auth?: 'oauth' | 'oauth-or-api-key';
  /** A path (on the MCP URL's origin) that answers 200 when the service is up, if the vendor has one. */
  health?: string;
  /** One account per token: setup suggests `--account LABEL`, so a second account gets its own entry. */
  accountPerToken?: boolean;
}

export const PRESETS: readonly Preset[] = [
  {
    name: 'pelcro',
    title: 'Pelcro',
    urls: { production: 'https://mcp.pelcro.com/', staging: 'https://mcp-staging.pelcro.com/' },
    auth: 'oauth',
    health: '/health',
    accountPerToken: true,
  },
  { name: 'peel', title: 'Peel', urls: { production: 'https://api.peel.sh/mcp' }, apiKeyHeader: 'X-API-Key', auth: 'oauth-or-api-key' },
];

/** Every environment some preset knows (for `--env` choices), production first. */
export const PRESET_ENVS: readonly string[] = [...new Set(['production', ...PRESETS.flatMap((p) => Object.keys(p.urls))])];

/** `pelcro (production, staging), peel (production)`: for help text. */
export function describePresets(): string {
  return PRESETS.map((p) => `${p.name} (${Object.keys(p.urls).join(', ')})`).join(', ');
}
