// The conformance harness's "client under test" for `mcpwire proxy`: an SDK v2 stdio client (as
// Claude Desktop is a stdio client) that starts the bridge with the mock server's URL (the last
// argument) and does what the scenario (MCP_CONFORMANCE_SCENARIO) asks. DRIVER_MODE: `legacy` (a
// 2025 client, like Claude Desktop today) or `auto` (a 2026 client that probes with server/discover).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const url = process.argv[process.argv.length - 1];
const scenario = process.env.MCP_CONFORMANCE_SCENARIO ?? '';
const ctx = JSON.parse(process.env.MCP_CONFORMANCE_CONTEXT || '{}');
const transport = new StdioClientTransport({
  command: process.env.MCPWIRE_NODE || process.execPath,
  args: [path.join(root, 'bin', 'mcpwire.js'), 'proxy', 'conformance', '--url', url],
  stderr: 'inherit',
});
const client = new Client(
  { name: 'conformance-stdio-driver', version: '1.0.0' },
  { capabilities: { sampling: {}, elicitation: {}, roots: {} }, versionNegotiation: { mode: process.env.DRIVER_MODE || 'legacy' } },
);
client.setRequestHandler('elicitation/create', async () => ({ action: 'accept', content: { confirmed: true } }));
const log = (...a) => console.error('driver:', ...a);
await client.connect(transport);
log('connected; era', client.getProtocolEra?.(), 'version', client.getNegotiatedProtocolVersion?.() ?? '');
// sse-retry's server takes the first GET after the tool call's stream opened for the client's resumption
// of that stream. Through the bridge, the standalone GET (opened once notifications/initialized is
// through, one hop further than a direct client's) can reach the server a few ms after that call on a
// loaded machine, and be judged "reconnected too early" (seen once in CI). The scenario is about the
// resumption, so the call waits until the bridge's session is settled.
if (scenario === 'sse-retry') await new Promise((r) => setTimeout(r, 300));
const { tools } = await client.listTools();
const show = (r) => JSON.stringify(r).slice(0, 200);
if (scenario === 'tools_call' || scenario === 'sse-retry' || scenario === 'request-metadata') {
  if (tools[0]) log('call', show(await client.callTool({ name: tools[0].name, arguments: { a: 2, b: 3 } })));
} else if (scenario === 'http-standard-headers') {
  for (const t of tools) await client.callTool({ name: t.name, arguments: {} });
  const { resources } = await client.listResources();
  for (const r of resources) await client.readResource({ uri: r.uri });
  const { prompts } = await client.listPrompts();
  for (const p of prompts) await client.getPrompt({ name: p.name });
} else if (scenario === 'sep-2322-client-request-state' || scenario === 'http-invalid-tool-headers') {
  for (const t of tools) log('call', t.name, show(await client.callTool({ name: t.name, arguments: {} }).catch((e) => String(e))));
} else if (scenario === 'http-custom-headers') {
  for (const c of ctx.toolCalls ?? []) log('call', c.name, show(await client.callTool(c)));
}
await client.close();
