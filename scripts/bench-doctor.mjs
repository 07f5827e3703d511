#!/usr/bin/env node
/**
 * `mcpwire doctor`'s wall time against its slowest single check (issue 9, point 7): three MCP servers on
 * 127.0.0.1 that answer every request after a set delay (a 2026-07-28 stateless one, a 2025 one with
 * JSON answers, a 2025 one with SSE answers), and six client files each holding the three (Claude
 * Desktop's through the bridge). Each run's report gives every check's own time; the slowest of them is
 * the floor a concurrent doctor can reach. Goal: wall time (the whole process, Node's start included)
 * ≤ 1.3× the slowest check. Run by `npm run bench` (BENCH_DOCTOR=0 skips it), or alone.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(REPO, 'bin', 'mcpwire.js');
const DELAY_MS = Number(process.env.BENCH_DOCTOR_DELAY ?? 300);
const RUNS = Number(process.env.BENCH_DOCTOR_RUNS ?? 7);
const log = (s = '') => process.stdout.write(s + '\n');

/** One MCP server answering after DELAY_MS: `modern` (server/discover), or 2025 with JSON or SSE answers. */
async function serve(kind) {
  const server = http.createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    await new Promise((r) => setTimeout(r, DELAY_MS));
    if (req.method !== 'POST') return res.writeHead(req.method === 'DELETE' ? 200 : 405).end();
    let m;
    try {
      m = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return res.writeHead(400).end();
    }
    if (m.id === undefined) return res.writeHead(202).end();
    const send = (body) => {
      if (kind === 'sse') res.writeHead(200, { 'content-type': 'text/event-stream' }).end(`event: message\ndata: ${JSON.stringify(body)}\n\n`);
      else res.writeHead(200, { 'content-type': 'application/json', 'mcp-session-id': 's1' }).end(JSON.stringify(body));
    };
    const reply = (result) => send({ jsonrpc: '2.0', id: m.id, result });
    if (m.method === 'server/discover') {
      if (kind === 'modern')
        return reply({
          supportedVersions: ['2026-07-28'],
          capabilities: { tools: {} },
          _meta: { 'io.modelcontextprotocol/serverInfo': { name: 'bench', version: '1' } },
        });
      return send({ jsonrpc: '2.0', id: m.id, error: { code: -32601, message: 'Method not found' } });
    }
    if (m.method === 'initialize') return reply({ protocolVersion: '2025-11-25', capabilities: { tools: {} }, serverInfo: { name: 'bench', version: '1' } });
    // A 2026 list result carries resultType, ttlMs and cacheScope (the SDK refuses one without); a 2025 one does not.
    const list2026 = kind === 'modern' ? { resultType: 'complete', ttlMs: 0, cacheScope: 'private' } : {};
    if (m.method === 'tools/list') return reply({ ...list2026, tools: [{ name: 'one', inputSchema: { type: 'object' } }] });
    return send({ jsonrpc: '2.0', id: m.id, error: { code: -32601, message: 'Method not found' } });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}/mcp`, server };
}

const servers = { modern: await serve('modern'), legacy: await serve('json'), streamed: await serve('sse') };
const home = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mcpwire-bench-doctor-')));
process.on('exit', () => fs.rmSync(home, { recursive: true, force: true }));
const write = (rel, text) => {
  const f = path.join(home, rel);
  fs.mkdirSync(path.dirname(f), { recursive: true });
  fs.writeFileSync(f, text, { mode: 0o600 });
};
const each = (fn) => Object.fromEntries(Object.entries(servers).map(([name, s]) => [name, fn(name, s.url)]));
write('.claude.json', JSON.stringify({ mcpServers: each((_n, url) => ({ type: 'http', url })) }));
write(
  '.codex/config.toml',
  Object.entries(servers)
    .map(([n, s]) => `[mcp_servers.${n}]\nurl = "${s.url}"\n`)
    .join('\n'),
);
write('.cursor/mcp.json', JSON.stringify({ mcpServers: each((_n, url) => ({ url })) }));
write('.config/Code/User/mcp.json', JSON.stringify({ servers: each((_n, url) => ({ type: 'http', url })) }));
write('.codeium/windsurf/mcp_config.json', JSON.stringify({ mcpServers: each((_n, url) => ({ serverUrl: url })) }));
write(
  '.config/Claude/claude_desktop_config.json',
  JSON.stringify({ mcpServers: each((n, url) => ({ command: process.execPath, args: [BIN, 'proxy', n, '--url', url] })) }),
);

const env = { PATH: process.env.PATH, HOME: home, NO_COLOR: '1', MCPWIRE_CREDENTIAL_STORE: 'file' };
const samples = [];
for (let i = 0; i < RUNS; i++) {
  // spawnSync would block the servers in this process: run the CLI asynchronously.
  const t0 = performance.now();
  const { stdout, code } = await new Promise((resolve) => {
    const c = spawn(process.execPath, [BIN, 'doctor', '--json'], { env, cwd: home });
    let out = '';
    c.stdout.on('data', (d) => (out += d));
    c.on('close', (code) => resolve({ stdout: out, code }));
  });
  const wall = performance.now() - t0;
  let report;
  try {
    report = JSON.parse(stdout);
  } catch {
    log(`doctor did not print JSON (exit ${code})`);
    process.exit(0);
  }
  const slowest = report.checks.reduce((a, c) => (c.ms > a.ms ? c : a), { ms: 0 });
  samples.push({ wall, slowest: slowest.ms, slowestId: `${slowest.id} ${slowest.subject}`, checks: report.checks.length, ok: report.ok });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const wall = median(samples.map((s) => s.wall));
const slowest = median(samples.map((s) => s.slowest));
const ratio = median(samples.map((s) => s.wall / s.slowest));
log(`doctor: 3 servers answering after ${DELAY_MS} ms, 6 client files (${samples[0].checks} checks per run, ${RUNS} runs)`);
log(`  wall time (process, Node start included)  median ${wall.toFixed(0)} ms`);
log(`  slowest single check (${samples[0].slowestId})  median ${slowest} ms`);
log(
  `  ratio  median ${ratio.toFixed(2)}× (range ${Math.min(...samples.map((s) => s.wall / s.slowest)).toFixed(2)}–${Math.max(...samples.map((s) => s.wall / s.slowest)).toFixed(2)})  goal ≤ 1.3×  ${ratio <= 1.3 ? 'PASS' : 'MISS'}`,
);
for (const s of Object.values(servers)) s.server.close();
process.exitCode = 0;
