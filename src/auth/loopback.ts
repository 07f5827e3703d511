/**
 * The OAuth loopback redirect (RFC 8252): a listener on 127.0.0.1 only, an ephemeral port unless one is
 * asked for, exactly one callback per authorization, `state` checked here (the SDK checks `iss`), a
 * small page in the browser either way, and a clear timeout.
 */
import http from 'node:http';
import { UserError } from '../errors.js';

export interface Loopback {
  redirectUri: string;
  /** Wait for the callback of the authorization that used `state`. */
  expect(state: string, timeoutMs: number): Promise<URLSearchParams>;
  /**
   * The address the browser ended on, pasted by the user (SSH, containers: the browser could not reach
   * this machine's 127.0.0.1). Checked exactly like a callback. False: not a callback address.
   */
  deliver(pasted: string): boolean;
  close(): Promise<void>;
}

const page = (title: string, body: string) =>
  `<!doctype html><meta charset="utf-8"><title>${title}</title><body style="font:16px system-ui;margin:4em auto;max-width:32em"><h1>${title}</h1><p>${body}</p></body>`;

export async function startLoopback(port = 0): Promise<Loopback> {
  let pending: { state: string; resolve(p: URLSearchParams): void; reject(e: Error): void; timer: NodeJS.Timeout } | undefined;
  /** One callback (from the browser, or pasted): check it and settle the pending login. */
  const settle = (params: URLSearchParams, html: (status: number, title: string, body: string) => void) => {
    const p = pending!;
    pending = undefined; // exactly one callback
    clearTimeout(p.timer);
    if (params.get('state') !== p.state) {
      html(400, 'Sign-in failed', 'The answer did not belong to this sign-in (state mismatch). Run the login again.');
      p.reject(new UserError('The authorization answer did not match this login (state mismatch); nothing was stored.', { exitCode: 1, fix: 'Run the login again.' }));
      return;
    }
    const error = params.get('error');
    if (error) {
      html(400, 'Sign-in failed', `The server said: ${error}. You can close this tab.`);
      p.reject(new UserError(`The authorization server refused: ${error}${params.get('error_description') ? ` (${params.get('error_description')})` : ''}.`, { exitCode: 1 }));
      return;
    }
    html(200, 'Signed in', 'mcpwire has your sign-in. You can close this tab.');
    p.resolve(params);
  };
  const server = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (u.pathname !== '/callback' || !pending) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    settle(u.searchParams, (status, title, body) => res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(page(title, body)));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(e.code === 'EADDRINUSE' ? new UserError(`Port ${port} on 127.0.0.1 is in use.`, { exitCode: 1, fix: 'Pass another --port, or none for a free one.' }) : e),
    );
    server.listen(port, '127.0.0.1', resolve);
  });
  const actual = (server.address() as { port: number }).port;
  return {
    redirectUri: `http://127.0.0.1:${actual}/callback`,
    expect(state, timeoutMs) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          pending = undefined;
          reject(new UserError(`No answer from the browser within ${Math.round(timeoutMs / 1000)} s; nothing was stored.`, { exitCode: 1, fix: 'Run the login again (--timeout SECONDS gives more time).' }));
        }, timeoutMs);
        pending = { state, resolve, reject, timer };
      });
    },
    deliver(pasted) {
      let u: URL;
      try {
        u = new URL(pasted.trim());
      } catch {
        return false;
      }
      if (!pending || !u.pathname.endsWith('/callback') || (!u.searchParams.has('code') && !u.searchParams.has('error'))) return false;
      settle(u.searchParams, () => {});
      return true;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
