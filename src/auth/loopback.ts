/**
 * The OAuth loopback redirect (RFC 8252): a listener on 127.0.0.1 only, an ephemeral port unless one is
 * asked for, `state` checked here (the SDK checks `iss`), a small page in the browser either way, and a
 * clear timeout.
 *
 * Anyone can make a browser on this machine visit the listener, so: a request whose `Host` is not the
 * address we bound gets 400 (a DNS-rebinding page names its own host); a callback with another `state`
 * gets 400 and the login goes on waiting (only the callback of this sign-in, or the timeout, ends it);
 * whatever the page shows is HTML-escaped, and whatever reaches the terminal goes through printable().
 */
import http from 'node:http';
import { UserError } from '../errors.js';
import { printable } from '../ui.js';

/** What became of one callback, from the browser or pasted. */
export type Delivery = 'accepted' | 'not-a-callback' | 'wrong-state';

export interface Loopback {
  redirectUri: string;
  /**
   * Wait for the callback of the authorization that used `state`. `onIgnored` hears of each callback
   * that was turned away (another sign-in's `state`), so the person knows why nothing happened.
   */
  expect(state: string, timeoutMs: number, onIgnored?: (why: string) => void): Promise<URLSearchParams>;
  /**
   * The address the browser ended on, pasted by the user (SSH, containers: the browser could not reach
   * this machine's 127.0.0.1). Checked exactly like a callback.
   */
  deliver(pasted: string): Delivery;
  close(): Promise<void>;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ESCAPES[c]);

/** Server-sent text for one line of a message: printable, and not a page long. */
const shown = (s: string, max = 300) => {
  const p = printable(s);
  return p.length > max ? p.slice(0, max - 1) + '…' : p;
};

const page = (title: string, body: string) =>
  `<!doctype html><meta charset="utf-8"><title>${escapeHtml(title)}</title><body style="font:16px system-ui;margin:4em auto;max-width:32em"><h1>${escapeHtml(title)}</h1><p>${escapeHtml(body)}</p></body>`;

const STATE_MISMATCH = 'a callback that did not belong to this sign-in (state mismatch) was ignored';

export async function startLoopback(port = 0): Promise<Loopback> {
  let pending:
    | { state: string; resolve(p: URLSearchParams): void; reject(e: Error): void; timer: NodeJS.Timeout; onIgnored?: (why: string) => void; ignored: number }
    | undefined;
  /** One callback (from the browser, or pasted): check it, and settle the pending login if it is this sign-in's. */
  const settle = (params: URLSearchParams, html: (status: number, title: string, body: string) => void): Delivery => {
    const p = pending!;
    if (params.get('state') !== p.state) {
      // Not this sign-in's answer (an old tab, or a page that forged it): turned away, the login goes on.
      p.ignored++;
      html(400, 'Not this sign-in', 'This answer does not belong to the sign-in mcpwire is waiting for (state mismatch). Use the page mcpwire opened.');
      p.onIgnored?.(STATE_MISMATCH);
      return 'wrong-state';
    }
    pending = undefined; // exactly one valid callback
    clearTimeout(p.timer);
    const error = params.get('error');
    if (error) {
      const description = params.get('error_description');
      html(400, 'Sign-in failed', `The authorization server said: ${error}${description ? ` (${description})` : ''}. You can close this tab.`);
      p.reject(
        new UserError(
          `The authorization server refused the sign-in: ${shown(error, 100)}${description ? ` (${shown(description)})` : ''}. Nothing was stored.`,
          { exitCode: 1, fix: "Run the login again; if it is refused again, tell the server's operator." },
        ),
      );
      return 'accepted';
    }
    html(200, 'Signed in', 'mcpwire has your sign-in. You can close this tab.');
    p.resolve(params);
    return 'accepted';
  };
  let bound = '';
  const server = http.createServer((req, res) => {
    const text = (status: number, body: string) =>
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }).end(body);
    // DNS rebinding: a page on evil.example whose name now resolves to 127.0.0.1 sends Host: evil.example.
    if (req.headers.host !== bound) return text(400, 'bad request');
    const u = new URL(req.url ?? '/', `http://${bound}`);
    if (u.pathname !== '/callback' || !pending) return text(404, 'not found');
    settle(u.searchParams, (status, title, body) =>
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(page(title, body)),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        e.code === 'EADDRINUSE'
          ? new UserError(`Port ${port} on 127.0.0.1 is in use.`, { exitCode: 1, fix: 'Pass another --port, or none for a free one.' })
          : e,
      ),
    );
    server.listen(port, '127.0.0.1', resolve);
  });
  bound = `127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    redirectUri: `http://${bound}/callback`,
    expect(state, timeoutMs, onIgnored) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          const ignored = pending?.ignored ?? 0;
          pending = undefined;
          reject(
            new UserError(
              `No answer from the browser within ${Math.round(timeoutMs / 1000)} s${ignored ? ` (${ignored} callback${ignored > 1 ? 's' : ''} with another sign-in's state ignored)` : ''}; nothing was stored.`,
              { exitCode: 1, fix: 'Run the login again (--browser-timeout SECONDS gives more time).' },
            ),
          );
        }, timeoutMs);
        pending = { state, resolve, reject, timer, onIgnored, ignored: 0 };
      });
    },
    deliver(pasted) {
      let u: URL;
      try {
        u = new URL(pasted.trim());
      } catch {
        return 'not-a-callback';
      }
      if (!pending || !u.pathname.endsWith('/callback') || (!u.searchParams.has('code') && !u.searchParams.has('error'))) return 'not-a-callback';
      return settle(u.searchParams, () => {});
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
