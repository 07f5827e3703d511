/**
 * The SDK's OAuthClientProvider, backed by one credential record per entry name (keychain account =
 * entry name): client registrations per authorization-server issuer (with the redirect URI they were
 * made for) and tokens per issuer. Persisted whenever the SDK saves something.
 */
import { randomBytes } from 'node:crypto';
import type { OAuthClientProvider } from '@modelcontextprotocol/client';

type ClientInfo = NonNullable<Awaited<ReturnType<OAuthClientProvider['clientInformation']>>>;
type Tokens = NonNullable<Awaited<ReturnType<OAuthClientProvider['tokens']>>>;
type Ctx = Parameters<OAuthClientProvider['clientInformation']>[0];
type DiscoveryState = Parameters<NonNullable<OAuthClientProvider['saveDiscoveryState']>>[0];

export interface AuthRecord {
  version: 1;
  name: string;
  url: string;
  /** Registrations by authorization-server issuer. */
  clients: Record<string, ClientInfo>;
  /** Tokens by issuer, with when they were obtained (for the absolute expiry). */
  tokens: Record<string, Tokens & { obtainedAt: number }>;
  /** Issuer of the newest tokens. */
  issuer?: string;
  /** What discovery found (public metadata), so refresh and revocation work without a 401 round-trip. */
  authServerUrl?: string;
  authServerMetadata?: Record<string, unknown>;
  /** The protected resource (RFC 8707 `resource`), verbatim from its metadata. */
  resource?: string;
  /** A static API key instead of OAuth (`auth login NAME --api-key`), with the header that carries it. */
  apiKey?: { header: string; value: string };
}

export function emptyRecord(name: string, url: string): AuthRecord {
  return { version: 1, name, url, clients: {}, tokens: {} };
}

/** Logged out: no tokens (for any issuer); registrations stay, for the next login. */
export function forgetTokens(rec: AuthRecord): void {
  rec.tokens = {};
  rec.issuer = undefined;
}

/** The loopback port a stored registration was made for (reused, so the registration stays valid). */
export function registeredPort(rec: AuthRecord | undefined): number | undefined {
  for (const c of Object.values(rec?.clients ?? {})) {
    const uri = (c as { redirect_uris?: string[] }).redirect_uris?.[0];
    const m = uri && /^http:\/\/127\.0\.0\.1:(\d+)\//.exec(uri);
    if (m) return Number(m[1]);
  }
  return undefined;
}

export interface ProviderOptions {
  redirectUri: string;
  clientId?: string;
  clientSecret?: string;
  clientMetadataUrl?: string;
  persist(rec: AuthRecord): Promise<void>;
}

export class StoredProvider implements OAuthClientProvider {
  /** The authorization URL the SDK asked us to visit (the host opens it, then calls finishAuth). */
  pendingAuthUrl: URL | undefined;
  lastState: string | undefined;
  readonly clientMetadataUrl: string | undefined;
  private verifier: string | undefined;
  private discovery: DiscoveryState | undefined;

  constructor(
    readonly record: AuthRecord,
    private readonly o: ProviderOptions,
  ) {
    this.clientMetadataUrl = o.clientMetadataUrl;
  }

  get redirectUrl(): string {
    return this.o.redirectUri;
  }

  get clientMetadata() {
    return {
      client_name: 'mcpwire',
      redirect_uris: [this.o.redirectUri],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      application_type: 'native',
    } as OAuthClientProvider['clientMetadata'];
  }

  state(): string {
    this.lastState = randomBytes(16).toString('base64url');
    return this.lastState;
  }

  clientInformation(ctx?: Ctx): ClientInfo | undefined {
    if (this.o.clientId) {
      return {
        client_id: this.o.clientId,
        ...(this.o.clientSecret ? { client_secret: this.o.clientSecret } : {}),
        ...(ctx?.issuer ? { issuer: ctx.issuer } : {}),
      } as ClientInfo;
    }
    const c = this.record.clients[ctx?.issuer ?? ''];
    // Registered for another redirect URI (another port): register again.
    const uris = (c as { redirect_uris?: string[] } | undefined)?.redirect_uris;
    if (c && uris && !uris.includes(this.o.redirectUri)) return undefined;
    return c;
  }

  async saveClientInformation(info: ClientInfo, ctx?: Ctx): Promise<void> {
    this.record.clients[ctx?.issuer ?? ''] = info;
    await this.o.persist(this.record);
  }

  tokens(ctx?: Ctx): Tokens | undefined {
    const t = ctx ? this.record.tokens[ctx.issuer] : this.record.tokens[this.record.issuer ?? ''];
    if (!t) return undefined;
    const { obtainedAt: _obtainedAt, ...tokens } = t;
    return tokens as Tokens;
  }

  async saveTokens(tokens: Tokens, ctx?: Ctx): Promise<void> {
    const issuer = ctx?.issuer ?? this.record.issuer ?? '';
    this.record.tokens[issuer] = { ...tokens, obtainedAt: Date.now() };
    this.record.issuer = issuer;
    await this.o.persist(this.record);
  }

  redirectToAuthorization(url: URL): void {
    this.pendingAuthUrl = url;
  }

  saveCodeVerifier(v: string): void {
    this.verifier = v;
  }

  codeVerifier(): string {
    if (!this.verifier) throw new Error('no PKCE verifier for this authorization');
    return this.verifier;
  }

  saveDiscoveryState(s: DiscoveryState): void {
    this.discovery = s;
    const info = s as { authorizationServerUrl?: string; authorizationServerMetadata?: Record<string, unknown>; resourceMetadata?: { resource?: string } };
    if (info.authorizationServerUrl) this.record.authServerUrl = info.authorizationServerUrl;
    if (info.authorizationServerMetadata) this.record.authServerMetadata = info.authorizationServerMetadata;
    if (info.resourceMetadata?.resource) this.record.resource = info.resourceMetadata.resource;
  }

  discoveryState(): DiscoveryState | undefined {
    return this.discovery;
  }

  async invalidateCredentials(scope: 'all' | 'client' | 'tokens' | 'verifier' | 'discovery'): Promise<void> {
    if (scope === 'all' || scope === 'tokens') forgetTokens(this.record);
    if (scope === 'all' || scope === 'client') this.record.clients = {};
    if (scope === 'all' || scope === 'verifier') this.verifier = undefined;
    if (scope === 'all' || scope === 'discovery') this.discovery = undefined;
    if (scope !== 'verifier' && scope !== 'discovery') await this.o.persist(this.record);
  }
}
