/**
 * MCP protocol versions, `_meta` keys and error codes, as plain data: the proxy and `doctor` need them
 * on paths that must not load the SDK (its exports of these come with zod schemas).
 */

/** The 2025 generation: `initialize`, `Mcp-Session-Id`, the standalone GET stream. Newest first. */
export const LEGACY_VERSIONS = ['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05'] as const;
/** The 2026 generation: stateless, `server/discover`, the version and client in each request's `_meta`. */
export const MODERN_VERSIONS = ['2026-07-28'] as const;
export const FIRST_MODERN_VERSION = '2026-07-28';

/** Dates compare as strings: every version from 2026-07-28 on is of the stateless generation. */
export function isModernVersion(v: unknown): v is string {
  return typeof v === 'string' && v >= FIRST_MODERN_VERSION;
}

export const META = {
  protocolVersion: 'io.modelcontextprotocol/protocolVersion',
  clientInfo: 'io.modelcontextprotocol/clientInfo',
  clientCapabilities: 'io.modelcontextprotocol/clientCapabilities',
  serverInfo: 'io.modelcontextprotocol/serverInfo',
  logLevel: 'io.modelcontextprotocol/logLevel',
} as const;

export const ERROR = {
  parse: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internal: -32603,
  /** 2026: a header disagrees with the body (list the tools again, then retry). */
  headerMismatch: -32020,
  missingClientCapability: -32021,
  /** 2026: `data.supported` lists the versions the server speaks. */
  unsupportedVersion: -32022,
} as const;
