/**
 * doctor's time limits (src/doctor/engine.ts `deadline`): on a busy machine the process may not run for
 * longer than a limit, and when it runs again its timers are served before the I/O that completed
 * meanwhile. The verdict waits for that I/O: an answer that came in time is not reported as silence.
 */
import net from 'node:net';
import { afterEach, expect, test } from 'vitest';
import { deadline, guard, ok } from '../../src/doctor/engine.js';

const servers: net.Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

async function listen(onConnection: (s: net.Socket) => void): Promise<number> {
  const server = net.createServer(onConnection);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as net.AddressInfo).port;
}

const busy = (ms: number) => {
  for (const until = Date.now() + ms; Date.now() < until;);
};

test('a connection made while the process was busy past the limit is in time', async () => {
  const port = await listen((s) => s.destroy());
  const verdict = await new Promise<string>((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const cancel = deadline(50, () => resolve('no answer within the limit'));
    socket.once('connect', () => {
      cancel();
      socket.destroy();
      resolve('connected');
    });
    busy(300); // the connection is made now, but the process runs nothing until this ends
  });
  expect(verdict).toBe('connected');
});

test('a peer that never answers still runs out of time, and a cancelled deadline never fires', async () => {
  const sockets: net.Socket[] = [];
  const port = await listen((s) => sockets.push(s)); // takes the connection, never writes
  const t0 = Date.now();
  const verdict = await new Promise<string>((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    deadline(100, () => {
      socket.destroy();
      resolve('no answer within the limit');
    });
    socket.once('data', () => resolve('answered'));
  });
  expect(verdict).toBe('no answer within the limit');
  expect(Date.now() - t0).toBeGreaterThanOrEqual(95);
  for (const s of sockets) s.destroy();
  let fired = false;
  deadline(10, () => (fired = true))();
  await new Promise((r) => setTimeout(r, 50));
  expect(fired).toBe(false);
});

test("a request the caller's own timeout aborts after the whole limit of silence is reported as a timeout, not a bare abort", async () => {
  // The SDK's request timeout is longer than doctor's; on a busy machine both are due at once, and the
  // SDK's may be served first (it was set first). Its abort must still read as the server's silence.
  const port = await listen(() => {}); // takes the connection, never answers
  const { recordingFetch, isStepTimeout } = await import('../../src/doctor/http.js');
  const rec = recordingFetch({ timeoutMs: 50, signal: new AbortController().signal });
  const sdk = new AbortController();
  const pending = rec.fetch(`http://127.0.0.1:${port}/mcp`, { method: 'POST', body: '{}', signal: sdk.signal }).then(
    () => 'answered',
    (e: unknown) => e,
  );
  busy(120); // past doctor's limit; its timer has not run yet
  sdk.abort(); // the SDK's timeout, served first
  const e = await pending;
  expect(isStepTimeout(e)).toBe(true);
  expect(String((e as Error).message)).toMatch(/: no answer within 0\.1 s$/);
});

test("a check's time ends with its last finding, not with the work other checks do before its turn comes", async () => {
  const w = { subject: 's', server: 's' };
  // Started in one turn, as runDoctor starts every check: the first is done at once (no DNS lookup for
  // an IP address), the second keeps the thread busy for 200 ms before it yields, the third answers
  // after 100 ms of waiting.
  const instant = guard(w, 'server.dns', 5000, async () => [ok(w, 'server.dns', 'an IP address')]);
  const busyCheck = guard(w, 'server.tcp', 5000, async () => {
    busy(200);
    return [ok(w, 'server.tcp', 'busy')];
  });
  const waiting = guard(w, 'server.http', 5000, async () => {
    await new Promise((r) => setTimeout(r, 100));
    return [ok(w, 'server.http', 'answered'), ok(w, 'server.http', 'and another finding')];
  });
  const [[a], [b], c] = await Promise.all([instant, busyCheck, waiting]);
  expect(a.ms).toBeLessThan(50); // was ~200: the busy check's work, done before this check's continuation ran
  expect(b.ms).toBeGreaterThanOrEqual(195);
  // The waiting check started after the busy one's 200 ms and waited 100 ms more.
  for (const x of c) expect(x.ms).toBeGreaterThanOrEqual(95);
  // A check that throws or runs out of time: until the failure was reported.
  const [t] = await guard(w, 'mcp.handshake', 50, () => new Promise<never>(() => {}));
  expect(t.status).toBe('fail');
  expect(t.ms).toBeGreaterThanOrEqual(45);
});
