/**
 * The parts of the official MCP SDK doctor uses — the client `auth login` connects with and the OAuth
 * discovery it runs — imported with `await import()` on first use: esbuild keeps the module lazy in the
 * doctor bundle, so a doctor with no server to check never evaluates the SDK, and naming the exports
 * here lets the rest of the SDK be left out.
 */
export {
  checkResourceAllowed,
  Client,
  discoverAuthorizationServerMetadata,
  discoverOAuthProtectedResourceMetadata,
  extractWWWAuthenticateParams,
  IssuerMismatchError,
  ProtocolError,
  resourceUrlFromServerUrl,
  StreamableHTTPClientTransport,
} from '@modelcontextprotocol/client';
