/**
 * `mcpwire proxy NAME [--url U] [--log FILE]`: the stdio bridge a client such as Claude Desktop starts
 * for a remote server. stdin is attached and read before anything slow happens; the SDK (the HTTP
 * side) is loaded when the first message arrives, messages queueing meanwhile. stdout carries the
 * protocol only: every diagnostic goes to stderr (and to --log FILE).
 */
import { UserError } from '../errors.js';
import { useExactJsonParse } from '../json-text.js';
import { errorResponse, hasLongString, jsonPieces, LineReader, parseLine, textSlices, type Message } from '../mcp/jsonrpc.js';
import { Bridge } from '../proxy/bridge.js';
import { headersFromConfig } from '../proxy/credential.js';
import { bridgeFetch } from '../proxy/http-fetch.js';
import { createLog } from '../proxy/log.js';
import { keepTheBridgeSmall } from '../proxy/memory.js';
import { storedLogin } from '../proxy/login.js';
import { printable } from '../ui.js';
import type { Context } from './context.js';

export { runCommand } from './run.js';

export interface ProxyOptions {
  url?: string;
  log?: string;
  header?: string[];
  headerEnv?: string[];
}

/** A message longer than this (UTF-16 units), or holding a string longer, is written in slices of it. */
const WRITE_SLICE = 1 << 18;
/** The buffer those slices are encoded into (UTF-8: at most 3 bytes per UTF-16 unit). */
const OUT_BUFFER = WRITE_SLICE * 3 + 1;

/** One message may be large (a 10 MB tool result, a file's contents); beyond this it is refused. */
const MAX_LINE_BYTES = 64 * 1024 * 1024;

/**
 * mcpwire's record of the server NAME (`mcp add`, `setup`): its URL, and the headers it takes from
 * environment variables (`K=VAR`, as `--header-env` reads them), if it has one.
 */
function recorded(ctx: Context, name: string): { url: string; headerEnv: string[] } | undefined {
  const servers = ctx.state.cached('servers');
  const rec = servers && typeof servers === 'object' && Object.hasOwn(servers, name) ? servers[name] : undefined;
  if (typeof rec?.url !== 'string' || rec.url === '') return undefined;
  const envs = Array.isArray(rec.headerEnvs) ? rec.headerEnvs : [];
  return { url: rec.url, headerEnv: envs.filter((h) => typeof h?.name === 'string' && typeof h.variable === 'string').map((h) => `${h.name}=${h.variable}`) };
}

/** Runs until stdin ends or a signal comes; 0 then. */
export function proxyCommand(ctx: Context, name: string, o: ProxyOptions, loadSdkBundle: () => typeof import('../mcp/sdk.js')): Promise<number> {
  const loadSdk = () => (keepTheBridgeSmall(), loadSdkBundle());
  // Every message passes through JSON.parse (ours and the SDK's): on Node 24 it can misread escaped keys.
  useExactJsonParse();
  const stdin = process.stdin;
  const env = ctx.platform.env as NodeJS.ProcessEnv;
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(name ?? '')) {
    throw new UserError(`"${printable(String(name ?? ''))}" is not an entry name.`, {
      fix: 'Run `mcpwire proxy NAME --url URL`, NAME as in `mcpwire mcp list`.',
    });
  }
  // MCPWIRE_URL: the entry keeps a URL that carries a credential in its env, never in args. Neither
  // (`mcpwire proxy NAME` run by hand): the URL mcpwire recorded for NAME when `mcp add` or `setup` wrote it.
  // Its headers from environment variables come with it (what the entry itself would send).
  const record = env.MCPWIRE_URL || o.url ? undefined : recorded(ctx, name);
  const rawUrl = env.MCPWIRE_URL || o.url || record?.url;
  if (!rawUrl) {
    const known = Object.keys(ctx.state.cached('servers') ?? {});
    const names = known.slice(0, 8).map(printable).join(', ') + (known.length > 8 ? ', …' : '');
    throw new UserError(`No URL for ${name}: mcpwire has no server of that name${known.length ? ` (it knows ${names})` : ''}.`, {
      fix: `Run \`mcpwire proxy ${name} --url URL\`, or connect it first: \`mcpwire setup URL --name ${name}\`.`,
    });
  }
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new UserError(`The URL for ${name} is not a URL.`, { fix: `Pass an http(s) URL: \`mcpwire proxy ${name} --url https://…\`.` });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new UserError(`The URL for ${name} is not http(s).`, { fix: `Pass an http(s) URL: \`mcpwire proxy ${name} --url https://…\`.` });

  const stderr = (line: string) => process.stderr.write(printable(line) + '\n');
  let log;
  try {
    log = createLog(o.log, stderr);
  } catch (e) {
    throw new UserError(`Cannot open the log file ${printable(o.log ?? '')} (${(e as NodeJS.ErrnoException).code ?? 'error'}).`, {
      fix: 'Pass --log a file in a folder that exists and that you can write, or leave --log out.',
    });
  }
  // Headers the entry sets itself win; otherwise the login stored under NAME (looked up with the first request).
  const configured = headersFromConfig(name, { header: o.header, headerEnv: o.headerEnv ?? record?.headerEnv }, env);
  const credential =
    configured.kind === 'static'
      ? configured
      : storedLogin({ name, url, platform: ctx.platform, log, fallback: configured, loadRefresh: () => loadSdk().freshAccessToken });

  let stdoutGone = false;
  // Messages go out in order. One that holds a long string (a 10 MB tool result) is written in pieces
  // (jsonPieces: its text never exists whole), each encoded into one reused buffer and written once
  // the client has taken the one before: no copy of it beyond the message itself.
  const queue: (string | Message)[] = [];
  let flushing: Promise<void> | undefined;
  let out: Buffer | undefined;
  let at = 0;
  const send = () =>
    new Promise<void>((r) => {
      process.stdout.write(out!.subarray(0, at), () => r());
      at = 0;
    });
  const flush = async () => {
    out ??= Buffer.allocUnsafeSlow(OUT_BUFFER);
    for (let item = queue.shift(); item !== undefined && !stdoutGone; item = queue.shift()) {
      try {
        for (const piece of typeof item === 'string' ? [item] : jsonPieces(item, WRITE_SLICE))
          for (const slice of textSlices(piece, WRITE_SLICE)) {
            if (at + slice.length * 3 > OUT_BUFFER) await send(); // UTF-8: at most 3 bytes per UTF-16 unit
            if (stdoutGone) return;
            at += out.write(slice, at, 'utf8');
          }
      } catch (e) {
        // A message JSON cannot hold (nested too deeply for the engine): what was written of it is ended.
        log.note(`a message could not be written whole (${(e as Error).message}); the line written of it is cut short`);
      }
      if (at + 1 > OUT_BUFFER) await send();
      at += out.write('\n', at, 'utf8');
      await send();
    }
    flushing = undefined;
  };
  const write = (m: Message) => {
    if (stdoutGone) return;
    if (!flushing && !hasLongString(m, WRITE_SLICE)) {
      const text = JSON.stringify(m);
      if (text.length <= WRITE_SLICE) return void process.stdout.write(text + '\n');
      queue.push(text);
    } else queue.push(m);
    flushing ??= flush();
  };
  const bridge = new Bridge({ name, url, credential, log, write, loadSdk, fetch: bridgeFetch(env) });

  return new Promise<number>((resolve) => {
    let done = false;
    const finish = async (why: string) => {
      if (done) return;
      done = true;
      log.event({ end: why });
      stdin.pause();
      await bridge.close();
      log.close();
      // Everything written to stdout reaches the client before the process exits.
      await flushing;
      if (!stdoutGone && process.stdout.writableLength > 0) await new Promise((r) => process.stdout.once('drain', r));
      resolve(0);
    };
    process.stdout.on('error', () => {
      stdoutGone = true; // the client is gone (EPIPE)
      void finish('stdout closed');
    });
    const reader = new LineReader(
      (line) => {
        const parsed = parseLine(line);
        if ('error' in parsed) {
          write(errorResponse(parsed.id, parsed.code, parsed.error));
          return;
        }
        bridge.receive(parsed.message);
      },
      MAX_LINE_BYTES,
      (bytes) => log.note(`a message of more than ${bytes} bytes from the client was dropped (limit ${MAX_LINE_BYTES}).`),
    );
    stdin.on('data', (c: Buffer) => reader.push(c));
    stdin.on('end', () => {
      reader.end();
      void finish('stdin closed');
    });
    stdin.on('error', () => void finish('stdin error'));
    process.once('SIGTERM', () => void finish('SIGTERM'));
    process.once('SIGINT', () => void finish('SIGINT'));
    log.event({ start: name, url: url.host, pid: process.pid });
  });
}
