/**
 * A real MCP server for the bridge tests: the SDK v1 McpServer over Streamable HTTP (stateful, one
 * session per initialize, resumable SSE through the SDK's in-memory event store), in JSON or SSE
 * response mode, optionally behind an API key. It records what reached it (method, session, status,
 * whether the key was right) so tests can check what the bridge sent, and can "restart" (forget
 * every session, as a new process would).
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { InMemoryEventStore } from '@modelcontextprotocol/sdk/examples/shared/inMemoryEventStore.js';
import { CreateMessageResultSchema, isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';

export interface PeerRecord {
  http: string;
  method?: string;
  session?: string;
  status: number;
  keyOk: boolean;
  lastEventId?: string;
  headers: Record<string, string | string[] | undefined>;
}

export interface Peer {
  url: string;
  records: PeerRecord[];
  /** Tool events: 'cancelled:<n>' when a slow call's signal aborted. */
  events: string[];
  restart(): void;
  close(): Promise<void>;
}

export async function startPeer(opts: { mode: 'json' | 'sse'; apiKey?: string }): Promise<Peer> {
  const records: PeerRecord[] = [];
  const events: string[] = [];
  let transports = new Map<string, StreamableHTTPServerTransport>();
  let slowCalls = 0;

  const build = () => {
    const server = new McpServer({ name: 'proxy-peer', version: '1.0.0' }, { capabilities: { tools: { listChanged: true } } });
    server.registerTool('echo', { description: 'echo', inputSchema: { text: z.string(), delayMs: z.number().optional() } }, async ({ text, delayMs }) => {
      if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
      return { content: [{ type: 'text', text }] };
    });
    server.registerTool('progress', { description: 'three progress steps', inputSchema: {} }, async (_args, extra) => {
      const token = extra._meta?.progressToken;
      for (let i = 1; i <= 3; i++) {
        if (token !== undefined) await extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress: i, total: 3 } });
        await new Promise((r) => setTimeout(r, 20));
      }
      return { content: [{ type: 'text', text: 'done' }] };
    });
    server.registerTool('slow', { description: 'waits to be cancelled', inputSchema: {} }, async (_args, extra) => {
      const n = ++slowCalls;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 15_000);
        extra.signal.addEventListener('abort', () => {
          events.push(`cancelled:${n}`);
          clearTimeout(timer);
          resolve();
        });
      });
      return { content: [{ type: 'text', text: 'finished' }] };
    });
    server.registerTool('big', { description: 'a large result', inputSchema: { bytes: z.number() } }, async ({ bytes }) => ({
      content: [{ type: 'text', text: 'x'.repeat(bytes) }],
    }));
    server.registerTool('sample', { description: 'asks the client to sample', inputSchema: {} }, async (_args, extra) => {
      const params = { messages: [{ role: 'user' as const, content: { type: 'text' as const, text: 'say hi' } }], maxTokens: 10 };
      // In JSON mode a request tied to the call has no stream to travel on: it goes on the GET stream.
      const r =
        opts.mode === 'sse'
          ? await extra.sendRequest({ method: 'sampling/createMessage', params }, CreateMessageResultSchema)
          : await server.server.createMessage(params);
      return { content: [{ type: 'text', text: `sampled: ${r.content.type === 'text' ? r.content.text : '?'}` }] };
    });
    server.registerTool('notify', { description: 'a notification on the GET stream', inputSchema: {} }, async () => {
      server.sendToolListChanged();
      return { content: [{ type: 'text', text: 'notified' }] };
    });
    return server;
  };

  const srv = http.createServer(async (req, res) => {
    const keyOk = !opts.apiKey || req.headers['x-api-key'] === opts.apiKey;
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    const rec: PeerRecord = {
      http: req.method ?? '',
      method: (body as { method?: string } | undefined)?.method,
      session: req.headers['mcp-session-id'] as string | undefined,
      status: 0,
      keyOk,
      lastEventId: req.headers['last-event-id'] as string | undefined,
      headers: req.headers,
    };
    records.push(rec);
    res.on('finish', () => (rec.status = res.statusCode));
    if (!keyOk) {
      res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'invalid_token' }));
      return;
    }
    const sid = rec.session;
    let t: StreamableHTTPServerTransport | undefined;
    if (sid) {
      t = transports.get(sid);
      if (!t) {
        res
          .writeHead(404, { 'content-type': 'application/json' })
          .end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32001, message: 'Session not found' }, id: null }));
        return;
      }
    } else if (req.method === 'POST' && isInitializeRequest(body)) {
      const own = transports;
      const created: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
        sessionIdGenerator: randomUUID,
        enableJsonResponse: opts.mode === 'json',
        eventStore: new InMemoryEventStore(),
        onsessioninitialized: (id) => void own.set(id, created),
      });
      created.onclose = () => {
        if (created.sessionId) own.delete(created.sessionId);
      };
      await build().connect(created);
      t = created;
    } else {
      res
        .writeHead(400, { 'content-type': 'application/json' })
        .end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message: 'Bad Request: no session' }, id: null }));
      return;
    }
    await t.handleRequest(req, res, body);
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;

  return {
    url: `http://127.0.0.1:${port}/mcp`,
    records,
    events,
    restart() {
      // A new process: every session forgotten, every open stream cut.
      transports = new Map();
      srv.closeAllConnections();
    },
    async close() {
      srv.closeAllConnections();
      await new Promise((r) => srv.close(r));
    },
  };
}

/**
 * A stateful MCP server with one tool, `whoami`: the user the request's token was issued to (`subject`,
 * given by the OAuth test server that checked the token). Mounted as that server's MCP endpoint.
 */
export function whoamiServer() {
  const sessions = new Map<string, StreamableHTTPServerTransport>();
  const calls: Array<{ method?: string; session?: string; subject: string }> = [];
  const handle = async (req: http.IncomingMessage, res: http.ServerResponse, body: unknown, subject: string) => {
    const sid = req.headers['mcp-session-id'] as string | undefined;
    calls.push({ method: (body as { method?: string } | undefined)?.method, session: sid, subject });
    let t = sid ? sessions.get(sid) : undefined;
    if (!t && req.method === 'POST' && isInitializeRequest(body)) {
      const created: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
        sessionIdGenerator: randomUUID,
        enableJsonResponse: true,
        onsessioninitialized: (id) => void sessions.set(id, created),
      });
      const server = new McpServer({ name: 'whoami-peer', version: '1.0.0' });
      server.registerTool('whoami', { description: 'the caller', inputSchema: {} }, async (_args, extra) => ({
        content: [{ type: 'text', text: String(extra.authInfo?.clientId) }],
      }));
      await server.connect(created);
      t = created;
    }
    if (!t) return void res.writeHead(sid ? 404 : 400).end();
    (req as http.IncomingMessage & { auth?: unknown }).auth = { token: 'checked', clientId: subject, scopes: [] };
    await t.handleRequest(req, res, body);
  };
  return { handle, calls };
}
