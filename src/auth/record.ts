/**
 * Reading a stored login without loading the SDK: which tokens are current, whether the access token
 * is still good, and the API-key form of a record. The bridge (`mcpwire proxy`) uses these on every
 * request; only a refresh loads the OAuth code (./tokens.ts).
 */
import type { AuthRecord } from './provider.js';

export const REFRESH_MARGIN_MS = 60_000;

export function currentTokens(rec: AuthRecord): (AuthRecord['tokens'][string] & { expiresAt?: number }) | undefined {
  const t = rec.tokens?.[rec.issuer ?? ''];
  if (!t) return undefined;
  return { ...t, expiresAt: t.expires_in !== undefined ? t.obtainedAt + Number(t.expires_in) * 1000 : undefined };
}

export interface FreshnessOptions {
  /** Refresh when the token expires within this long (default REFRESH_MARGIN_MS). */
  marginMs?: number;
  /** A token the server just refused (401): not good, whatever its expiry says. */
  refused?: string;
}

/** The access token, when it does not expire within the margin and was not refused (undefined: refresh it first). */
export function unexpiredAccessToken(p: { now(): number }, rec: AuthRecord, o: FreshnessOptions = {}): string | undefined {
  const t = currentTokens(rec);
  if (!t || (o.refused !== undefined && t.access_token === o.refused)) return undefined;
  return t.expiresAt === undefined || t.expiresAt - p.now() > (o.marginMs ?? REFRESH_MARGIN_MS) ? t.access_token : undefined;
}

/** A static API key, kept with the header that carries it (`auth login NAME --api-key`). */
export interface ApiKey {
  header: string;
  value: string;
}

export function storedApiKey(rec: AuthRecord | undefined): ApiKey | undefined {
  const k = rec?.apiKey;
  return k && typeof k.header === 'string' && typeof k.value === 'string' && k.value !== '' ? k : undefined;
}

/** The header as sent: `Authorization` gets the Bearer scheme, any other header the bare key. */
export function apiKeyHeaders(k: ApiKey): Record<string, string> {
  return { [k.header]: k.header.toLowerCase() === 'authorization' ? `Bearer ${k.value}` : k.value };
}
