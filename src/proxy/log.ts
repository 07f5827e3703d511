/**
 * The bridge's diagnostics: notable events as lines on stderr (clients keep a server's stderr in their
 * log), and with --log FILE one JSON line per message and per HTTP exchange: time, direction, method,
 * id, status, milliseconds, bytes. Never a header value or a body: tokens travel in headers, and
 * `Mcp-Param-*` headers and bodies mirror the user's tool arguments.
 */
import { closeSync, openSync, writeSync } from 'node:fs';

export interface Log {
  /** A line for a person: stderr, and the file. */
  note(text: string): void;
  /** A record for the file only. */
  event(fields: Record<string, string | number | boolean | undefined | null>): void;
  close(): void;
}

export function createLog(file: string | undefined, stderr: (line: string) => void): Log {
  let fd: number | undefined;
  if (file) fd = openSync(file, 'a', 0o600);
  const put = (rec: Record<string, unknown>) => {
    if (fd === undefined) return;
    try {
      writeSync(fd, JSON.stringify({ t: new Date().toISOString(), ...rec }) + '\n');
    } catch {
      fd = undefined; // a full disk must not stop the bridge
    }
  };
  return {
    note(text) {
      stderr(`mcpwire proxy: ${text}`);
      put({ note: text });
    },
    event: (fields) => put(fields),
    close() {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}

/** A URL fit for a log: no query or fragment (a `?token=` there is a secret), no userinfo. */
export function safeUrl(u: URL): string {
  return `${u.protocol}//${u.host}${u.pathname}${u.search ? '?…' : ''}`;
}
