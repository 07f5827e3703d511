/**
 * `mcpwire proxy NAME [--url U] [--log FILE]`: the stdio bridge a client such as Claude Desktop starts
 * for a remote server. stdin is attached and read before anything slow happens; the SDK (the HTTP
 * side) is loaded when the first message arrives, messages queueing meanwhile. stdout carries the
 * protocol only: every diagnostic goes to stderr (and to --log FILE).
 */
import { UserError } from '../errors.js';
import { useExactJsonParse } from '../json-text.js';
import { errorResponse, LineReader, parseLine, textSlices, type Message } from '../mcp/jsonrpc.js';
import { Bridge } from '../proxy/bridge.js';
import { headersFromConfig } from '../proxy/credential.js';
import { createLog } from '../proxy/log.js';
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

/** One message may be large (a 10 MB tool result, a file's contents); beyond this it is refused. */
const MAX_LINE_BYTES = 64 * 1024 * 1024;

/**
 * A bridge lives for hours and holds little: its messages die young. V8 doubles the young generation
 * (up to 16 MB on 64-bit Node, 2 × 8 MB semi-spaces) each time many objects survive a scavenge, as
 * loading the SDK makes them do, and never gives those pages back while the process keeps running
 * small requests. Kept at its initial size, the idle bridge is ~10 MB smaller (scripts/bench-proxy.mjs);
 * the flag is read when V8 would grow the space, so setting it at run time takes effect. Set when the
 * SDK loads (the first message), not at start: `node:v8` costs ~3 ms to load.
 */
let youngGenerationKeptSmall = false;
function keepYoungGenerationSmall(): void {
  if (youngGenerationKeptSmall) return;
  youngGenerationKeptSmall = true;
  try {
    process.getBuiltinModule('node:v8').setFlagsFromString('--semi-space-growth-factor=1');
  } catch {
    /* an engine without the flag: the default growth */
  }
}

/** Runs until stdin ends or a signal comes; 0 then. */
export function proxyCommand(ctx: Context, name: string, o: ProxyOptions, loadSdkBundle: () => typeof import('../mcp/sdk.js')): Promise<number> {
  const loadSdk = () => (keepYoungGenerationSmall(), loadSdkBundle());
  // Every message passes through JSON.parse (ours and the SDK's): on Node 24 it can misread escaped keys.
  useExactJsonParse();
  const stdin = process.stdin;
  const env = ctx.platform.env as NodeJS.ProcessEnv;
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(name ?? '')) {
    throw new UserError(`"${printable(String(name ?? ''))}" is not an entry name.`, {
      fix: 'Run `mcpwire proxy NAME --url URL`, NAME as in `mcpwire mcp list`.',
    });
  }
  // MCPWIRE_URL: the entry keeps a URL that carries a credential in its env, never in args.
  const rawUrl = env.MCPWIRE_URL || o.url;
  if (!rawUrl)
    throw new UserError(`No URL for ${name}.`, {
      fix: `Run \`mcpwire proxy ${name} --url URL\` (or add the server again: \`mcpwire mcp add --target claude-desktop\`).`,
    });
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
  const configured = headersFromConfig(name, { header: o.header, headerEnv: o.headerEnv }, env);
  const credential =
    configured.kind === 'static'
      ? configured
      : storedLogin({ name, url, platform: ctx.platform, log, fallback: configured, loadRefresh: () => loadSdk().freshAccessToken });

  let stdoutGone = false;
  const write = (m: Message) => {
    if (stdoutGone) return;
    // Slices, and the newline apart: a 10 MB message is not copied whole once more to be written.
    for (const slice of textSlices(JSON.stringify(m))) process.stdout.write(slice);
    process.stdout.write('\n');
  };
  const bridge = new Bridge({ name, url, credential, log, write, loadSdk });

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
