/**
 * The parts of the official MCP SDK that the proxy uses, as one bundle (dist/mcpsdk.cjs) loaded only
 * when the first message arrives: loading it costs more than starting Node, and the bridge must be
 * reading stdin before that.
 */
export { StreamableHTTPClientTransport, SdkHttpError, SdkError } from '@modelcontextprotocol/client';
// The bridge's OAuth refresh (rare: a token near expiry, or a 401), under the same lock as `auth token`.
export { freshAccessToken } from '../auth/tokens.js';
