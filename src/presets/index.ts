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
  /** A health path on the MCP URL's origin answering `{"status","version","environment"}` (doctor shows it). */
  health?: string;
}

export const PRESETS: readonly Preset[] = [
  { name: 'pelcro', title: 'Pelcro', urls: { production: 'https://mcp.pelcro.com/', staging: 'https://mcp-staging.pelcro.com/' }, health: '/health' },
  { name: 'peel', title: 'Peel', urls: { production: 'https://api.peel.sh/mcp' }, apiKeyHeader: 'X-API-Key' },
];

/** Every environment some preset knows (for `--env` choices), production first. */
export const PRESET_ENVS: readonly string[] = [...new Set(['production', ...PRESETS.flatMap((p) => Object.keys(p.urls))])];

/** `pelcro (production, staging), peel (production)`: for help text. */
export function describePresets(): string {
  return PRESETS.map((p) => `${p.name} (${Object.keys(p.urls).join(', ')})`).join(', ');
}
