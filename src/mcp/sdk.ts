/**
 * The parts of the official MCP SDK that the proxy uses, as one bundle (dist/mcpsdk.cjs) loaded only
 * when the first message arrives: loading it costs more than starting Node, and the bridge must be
 * reading stdin before that.
 */
export { StreamableHTTPClientTransport, SdkHttpError, SdkError } from '@modelcontextprotocol/client';
import { refreshAuthorization } from '@modelcontextprotocol/client';
import { freshAccessToken as freshWith } from '../auth/tokens.js';
import type { CredentialStore } from '../auth/store/index.js';
import type { FreshnessOptions } from '../auth/record.js';
import type { Platform } from '../platform.js';

/** The bridge's OAuth refresh (rare: a token near expiry, or a 401), under the same lock as `auth token`. */
export function freshAccessToken(p: Platform, store: CredentialStore, name: string, timeoutMs: number, fresh: FreshnessOptions = {}): Promise<string> {
  return freshWith(p, store, name, timeoutMs, fresh, () => refreshAuthorization);
}
