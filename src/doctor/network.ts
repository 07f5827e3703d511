/**
 * The layers under HTTP, each its own check so that a failure names its layer: the name resolves (DNS),
 * the port accepts a connection (TCP, with the connect time), and for https the certificate is one this
 * Node trusts (TLS; every verification error spelled out, with the hint for interception proxies).
 */
import { promises as dns } from 'node:dns';
import net from 'node:net';
import tls from 'node:tls';
import { fail, ok, warn, type Where } from './engine.js';
import type { DoctorCheck } from './types.js';

export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '');
}

export function portOf(url: URL): number {
  return url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
}

export async function checkDns(w: Where, url: URL): Promise<DoctorCheck[]> {
  const host = hostOf(url);
  if (net.isIP(host)) return [ok(w, 'server.dns', `${host} is an IP address (no DNS lookup)`)];
  try {
    const addrs = await dns.lookup(host, { all: true });
    return [
      ok(
        w,
        'server.dns',
        `${host} resolves to ${addrs
          .map((a) => a.address)
          .slice(0, 3)
          .join(', ')}`,
      ),
    ];
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return [
      fail(
        w,
        'server.dns',
        `${host} does not resolve (${code ?? (e as Error).message})`,
        code === 'ENOTFOUND' ? 'Check the host name in the URL (a typo?), or your DNS / VPN.' : 'Check your network and DNS settings.',
      ),
    ];
  }
}

export function checkTcp(w: Where, url: URL, signal: AbortSignal): Promise<DoctorCheck[]> {
  const host = hostOf(url);
  const port = portOf(url);
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (c: DoctorCheck) => {
      socket.destroy();
      signal.removeEventListener('abort', onAbort);
      resolve([c]);
    };
    const onAbort = () => socket.destroy();
    signal.addEventListener('abort', onAbort);
    socket.once('connect', () => done(ok(w, 'server.tcp', `${host}:${port} accepts connections (${Math.round(performance.now() - started)} ms)`)));
    socket.once('error', (e: NodeJS.ErrnoException) => {
      const why =
        e.code === 'ECONNREFUSED'
          ? 'connection refused: nothing listens there (the server is down, or the port is wrong)'
          : e.code === 'ETIMEDOUT' || e.code === 'EHOSTUNREACH' || e.code === 'ENETUNREACH'
            ? `unreachable (${e.code}): a firewall, VPN or proxy is in the way`
            : (e.code ?? e.message);
      done(fail(w, 'server.tcp', `${host}:${port}: ${why}`, "Check the server's status and the URL's port; on a corporate network, your proxy settings."));
    });
  });
}

/** What each certificate verification error means, for a person. */
const CERT_ERRORS: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the certificate is self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'the chain ends in a self-signed root this machine does not trust (a TLS-inspecting proxy re-signs like this)',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "the certificate's issuer is not trusted here (a TLS-inspecting proxy, or a private CA)",
  UNABLE_TO_GET_ISSUER_CERT: "the certificate's issuer could not be found",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the certificate chain is incomplete (the server sends no intermediate), or its issuer is not trusted',
  CERT_HAS_EXPIRED: 'the certificate has expired',
  CERT_NOT_YET_VALID: 'the certificate is not valid yet (or this clock is wrong)',
  ERR_TLS_CERT_ALTNAME_INVALID: "the certificate is for another host name than the URL's",
  CERT_REVOKED: 'the certificate was revoked',
};

const CA_HINT =
  "If a corporate proxy inspects TLS, point Node at its CA: export NODE_EXTRA_CA_CERTS=/path/to/corporate-ca.pem (and start the clients with it); otherwise tell the server's operator.";

export function checkTls(w: Where, url: URL, signal: AbortSignal, env: Record<string, string | undefined>): Promise<DoctorCheck[]> {
  const host = hostOf(url);
  const port = portOf(url);
  return new Promise((resolve) => {
    const socket = tls.connect({ host, port, servername: net.isIP(host) ? undefined : host, ALPNProtocols: ['http/1.1'] });
    const done = (c: DoctorCheck[]) => {
      socket.destroy();
      signal.removeEventListener('abort', onAbort);
      resolve(c);
    };
    const onAbort = () => socket.destroy();
    signal.addEventListener('abort', onAbort);
    socket.once('secureConnect', () => {
      const cert = socket.getPeerCertificate();
      const issuer = cert?.issuer ? (cert.issuer.O ?? cert.issuer.CN) : undefined;
      const until = cert?.valid_to ? new Date(cert.valid_to) : undefined;
      const days = until ? Math.floor((until.getTime() - Date.now()) / 86_400_000) : undefined;
      const what = `certificate trusted${issuer ? ` (issued by ${issuer}` : ' ('}${until ? `, valid until ${until.toISOString().slice(0, 10)}` : ''}), ${socket.getProtocol() ?? 'TLS'}`;
      if (days !== undefined && days < 14)
        done([warn(w, 'server.tls', `${what}: expires in ${days} days`, "Tell the server's operator: the certificate expires soon.")]);
      else done([ok(w, 'server.tls', what)]);
    });
    socket.once('error', (e: NodeJS.ErrnoException) => {
      const code = e.code ?? '';
      const meaning = CERT_ERRORS[code];
      if (meaning) {
        const extra = env.NODE_EXTRA_CA_CERTS ? ` (NODE_EXTRA_CA_CERTS=${env.NODE_EXTRA_CA_CERTS} is set, and does not cover it)` : '';
        done([fail(w, 'server.tls', `${host}:${port}: ${meaning} [${code}]${extra}`, CA_HINT)]);
      } else if (/wrong version number|packet length too long|EPROTO/i.test(`${code} ${e.message}`)) {
        done([
          fail(
            w,
            'server.tls',
            `${host}:${port} does not speak TLS (${code || e.message}): is the URL http:// rather than https://?`,
            'Check the URL scheme and port.',
          ),
        ]);
      } else done([fail(w, 'server.tls', `${host}:${port}: TLS handshake failed (${code || e.message})`, CA_HINT)]);
    });
  });
}
