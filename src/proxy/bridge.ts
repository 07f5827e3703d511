/**
 * The relay: JSON-RPC messages from the stdio client go to the server over Streamable HTTP (the SDK's
 * client transport), and everything the server sends comes back, answers matched to their requests.
 *
 * Around the SDK transport it adds what a bridge needs and the SDK leaves to its `Client`:
 *  - a session the server forgot (404) is re-established by replaying the client's `initialize` on a
 *    new transport, then the refused message is sent again (a 404 means it never ran);
 *  - the protocol generations are adapted: a 2025 client before a 2026 server gets its `initialize`
 *    answered from `server/discover`, each request carries the `_meta` envelope, and the list-changed
 *    notifications and `resources/subscribe` it expects ride a `subscriptions/listen` stream; a 2026 client
 *    before a 2025 server is told `server/discover` does not exist, so it falls back to `initialize`;
 *  - `Mcp-Param-*` headers from the tools' `x-mcp-header` declarations, tools with invalid ones left
 *    out, and cancellation as the abort of that request's stream (2026);
 *  - the credential, through an injected fetch: headers per request, one retry after a refresh on 401,
 *    and a JSON-RPC error whose text is the fix when no credential can be presented;
 *  - the standalone GET stream (2025 servers) kept open for as long as the session lives: once the SDK's
 *    reconnections are used up (the server unreachable for a while), it is opened again after the next
 *    exchange that reaches the server, or every REOPEN_STANDALONE_MS until one succeeds.
 */
import type { Credential } from './credential.js';
import { CredentialError } from './credential.js';
import { safeUrl, type Log } from './log.js';
import { ERROR, isModernVersion, LEGACY_VERSIONS, META, MODERN_VERSIONS } from '../mcp/versions.js';
import { errorResponse, idKey, isObject, isRequest, isResponse, type Id, type Message } from '../mcp/jsonrpc.js';
import { paramHeaders, scanHeaderDeclarations, type HeaderScan } from '../mcp/headers.js';
import { LightHeaders } from './http-headers.js';

type Sdk = typeof import('../mcp/sdk.js');
type Transport = InstanceType<Sdk['StreamableHTTPClientTransport']>;
type SendOptions = Parameters<Transport['send']>[1];

export interface BridgeOptions {
  name: string;
  url: URL;
  credential: Credential;
  log: Log;
  /** Write one message to the stdio client. */
  write(m: Message): void;
  /** The SDK bundle, loaded on first use. */
  loadSdk(): Sdk;
  /** How requests are sent: `bridgeFetch` (./http-fetch.ts) in the command; default Node's fetch. */
  fetch?: typeof fetch;
}

interface Pending {
  method: string;
  clientId: Id;
  /** Which transport carried it: a request still streaming when its session is replaced is answered with an error. */
  generation: number;
  /** The POST has been answered (its response may still be streaming). */
  sent: boolean;
  abort?: AbortController;
  /** The request as sent upstream (2026 input-required rounds send it again). */
  message: Message;
  rounds: number;
  /** A -32020 (header mismatch) was answered by listing the tools again: only once. */
  relisted?: boolean;
}

/** Ids of the bridge's own requests: a prefix no client uses, and a counter. */
const OWN_PREFIX = 'mcpwire-proxy:';
const MAX_INPUT_ROUNDS = 8;
/** How often a lost standalone GET stream is tried again while nothing else reaches the server. */
const REOPEN_STANDALONE_MS = 30_000;
/** A `subscriptions/listen` stream that ended is opened again after this, doubling up to 30 s while it fails. */
const LISTEN_RETRY_MS = 1000;

export class Bridge {
  private sdk?: Sdk;
  private transport?: Transport;
  private generation = 0;
  /** 'unknown' until the first message tells which generation the client and the server speak. */
  private era: 'unknown' | 'legacy' | 'modern' = 'unknown';
  /** 2026 server and a 2025 client: the bridge speaks 2026 for the client. */
  private adapting = false;
  private envelope: Record<string, unknown> = {};
  private logLevel?: string;
  private initializeRequest?: Message;
  private protocolVersion?: string;
  private readonly pending = new Map<string, Pending>();
  /** Answers to the bridge's own upstream requests (probe, replayed initialize, tools/list). */
  private readonly ownUp = new Map<string, (m: Message) => void>();
  /** Answers the stdio client owes the bridge (2026 input requests turned into client requests). */
  private readonly ownDown = new Map<string, (m: Message) => void>();
  private ownSeq = 0;
  private readonly tools = new Map<string, HeaderScan>();
  /** Upstream id of a retried request (2026 input rounds use a new id) → the client's id key. */
  private readonly alias = new Map<string, string>();
  /** Messages wait here while the generation is found out or a session is re-established. */
  private chain: Promise<void> = Promise.resolve();
  private reestablishing?: Promise<void>;
  private closed = false;
  private readonly shown = new Set<string>();
  /** The SDK gave up reconnecting a stream, and no request's stream ended with it: the standalone GET's. */
  private gaveUpOnStream = false;
  /** The standalone GET stream is lost: opened again after the next exchange that reaches the server. */
  private standaloneLost = false;
  private reopenTimer?: ReturnType<typeof setTimeout>;
  /** Adapting for a 2025 client: the `subscriptions/listen` stream that stands in for its GET stream and resources/subscribe. */
  private listen?: { id: string; abort: AbortController };
  private readonly resourceSubscriptions = new Set<string>();
  private listenWanted = false;
  private listenRetryMs = LISTEN_RETRY_MS;
  private listenTimer?: ReturnType<typeof setTimeout>;

  constructor(private readonly o: BridgeOptions) {}

  /** A message from the stdio client, in order. */
  receive(m: Message): void {
    if (this.closed) return;
    // An answer to a request of the bridge's own (2026 input request) never goes upstream.
    if (isResponse(m) && typeof m.id === 'string' && m.id.startsWith(OWN_PREFIX)) {
      const done = this.ownDown.get(m.id);
      this.ownDown.delete(m.id);
      done?.(m);
      return;
    }
    if (isRequest(m) && typeof m.id === 'string' && m.id.startsWith(OWN_PREFIX)) {
      this.o.write(errorResponse(m.id, ERROR.invalidRequest, `Request ids starting with "${OWN_PREFIX}" are reserved by the bridge.`));
      return;
    }
    this.chain = this.chain.then(() => this.dispatch(m)).catch((e) => this.o.log.note(`internal error: ${(e as Error).message}`));
  }

  /** stdin ended (or a signal): end the session politely, then stop. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.reopenTimer);
    clearTimeout(this.listenTimer);
    this.listen?.abort.abort();
    // A message still waiting on a server that does not answer must not keep the bridge alive.
    const grace = (ms: number) => new Promise((r) => setTimeout(r, ms).unref());
    await Promise.race([this.chain.catch(() => {}), grace(500)]);
    const t = this.transport;
    if (!t) return;
    if (t.sessionId) await Promise.race([t.terminateSession().catch(() => {}), grace(1000)]);
    await t.close().catch(() => {});
  }

  // ---- the client side ----

  private async dispatch(m: Message): Promise<void> {
    if (this.closed) return;
    if (this.era === 'unknown') await this.findEra(m);
    if (this.closed) return;
    if (this.initFailure && m.method === 'initialize') {
      // Not logged in, refused, or unreachable: the client shows this, with the fix; a later initialize tries again.
      const failure = this.initFailure;
      this.initFailure = undefined;
      this.fail(m.id as Id, failure);
      return;
    }
    if (this.reestablishing) await this.reestablishing.catch(() => {});

    const request = isRequest(m);
    if (request && this.pending.has(idKey(m.id as Id))) {
      this.o.write(errorResponse(m.id as Id, ERROR.invalidRequest, `Request id ${JSON.stringify(m.id)} is already in use.`));
      return;
    }

    if (this.adapting) {
      const local = this.answerLocally(m);
      if (local === 'done') return;
    }
    if (m.method === 'notifications/cancelled') {
      const target = isObject(m.params) ? m.params.requestId : undefined;
      const p = target !== undefined && (typeof target === 'string' || typeof target === 'number') ? this.pending.get(idKey(target)) : undefined;
      if (p) this.pending.delete(idKey(target as Id));
      // 2026: cancelling is closing that request's stream; the notification no longer exists upstream.
      if (this.era === 'modern') {
        p?.abort?.abort();
        return;
      }
    }

    let out = m;
    if (this.adapting && typeof m.method === 'string' && request) out = this.withEnvelope(m);
    const modernRequest = request && isObject(out.params) && isObject(out.params._meta) && isModernVersion(out.params._meta[META.protocolVersion]);

    if (request) {
      const p: Pending = { method: m.method!, clientId: m.id as Id, generation: this.generation, sent: false, message: out, rounds: 0 };
      if (modernRequest) p.abort = new AbortController();
      this.pending.set(idKey(m.id as Id), p);
      if (m.method === 'initialize') this.initializeRequest = m;
    }
    this.forward(out, modernRequest);
  }

  /** Send upstream without waiting for the answer (a long tool call must not hold up the next message). */
  private forward(m: Message, modernRequest: boolean, pendingKey?: string): void {
    const key = pendingKey ?? (isRequest(m) ? idKey(m.id as Id) : undefined);
    const p = key ? this.pending.get(key) : undefined;
    const opts: NonNullable<SendOptions> = {};
    if (modernRequest && m.method === 'tools/call' && isObject(m.params) && typeof m.params.name === 'string') {
      const scan = this.tools.get(m.params.name);
      if (scan?.valid) opts.headers = paramHeaders(scan.declarations, m.params.arguments ?? {});
    }
    if (p?.abort) opts.requestSignal = p.abort.signal;
    if (p) {
      opts.onRequestStreamEnd = () => {
        this.gaveUpOnStream = false; // it was this request's stream, not the standalone one
        // The stream ended without an answer (server gone, reconnection exhausted): say so rather than hang.
        if (this.pending.get(key!) === p && !this.closed) {
          this.pending.delete(key!);
          this.fail(p.clientId, `${this.o.name}: the server closed the stream before answering ${m.method}.`);
        }
      };
    }
    this.o.log.event({
      dir: 'up',
      method: m.method,
      id: m.id === undefined ? undefined : String(m.id),
      kind: isResponse(m) ? 'response' : m.id === undefined ? 'notification' : 'request',
    });
    this.sendUp(m, opts)
      .then(() => {
        if (p) p.sent = true;
      })
      .catch((e) => {
        if (!key || this.pending.get(key) !== p) return; // cancelled, or answered meanwhile
        this.pending.delete(key);
        this.fail(p!.clientId, this.describe(e));
      });
  }

  /** The first message decides: a 2025 client sends initialize, a 2026 one server/discover (or a request with _meta). */
  private async findEra(m: Message): Promise<void> {
    this.ensureTransport();
    if (m.method === 'initialize' && isRequest(m)) {
      const params = isObject(m.params) ? m.params : {};
      const discovered = await this.probe(params.clientInfo, params.capabilities);
      if (discovered === 'failed') return; // the error went to the client's initialize below
      if (discovered) {
        this.era = 'modern';
        this.adapting = true;
        this.o.log.note(`${safeUrl(this.o.url)} speaks ${discovered.version}; answering the client's initialize from server/discover`);
        return;
      }
      this.era = 'legacy';
      return;
    }
    if (m.method === 'server/discover') {
      // Decided when its answer comes back (see onUpstream).
      return;
    }
    const meta = isObject(m.params) && isObject(m.params._meta) ? m.params._meta : undefined;
    this.era = meta && isModernVersion(meta[META.protocolVersion]) ? 'modern' : 'legacy';
  }

  /**
   * Does the server speak 2026? Ask with `server/discover` and the client's details. A DiscoverResult
   * (or -32022 naming a 2026 version we speak) means yes; any other answer means a 2025 server.
   */
  private async probe(clientInfo: unknown, capabilities: unknown): Promise<{ version: string; result: Record<string, unknown> } | undefined | 'failed'> {
    let version: string = MODERN_VERSIONS[0];
    for (let round = 0; round < 2; round++) {
      const envelope = {
        [META.protocolVersion]: version,
        [META.clientInfo]: clientInfo ?? { name: 'mcpwire-proxy', version: '0' },
        [META.clientCapabilities]: capabilities ?? {},
      };
      let answer: Message;
      try {
        answer = await this.ask('server/discover', { _meta: envelope });
      } catch (e) {
        if (e instanceof CredentialError || httpStatus(e) === 401 || httpStatus(e) === 403 || isNetworkError(e)) {
          // No credential, refused, or unreachable: the client's initialize gets the fix.
          this.initFailure = this.describe(e);
          return 'failed';
        }
        return undefined;
      }
      const r = answer.result;
      if (r && Array.isArray(r.supportedVersions) && r.supportedVersions.includes(version)) {
        this.envelope = envelope;
        this.discover = r;
        return { version, result: r };
      }
      const supported = isObject(answer.error?.data) ? answer.error.data.supported : undefined;
      if (answer.error?.code === ERROR.unsupportedVersion && Array.isArray(supported)) {
        // The server names the versions it takes: ask once more with one we share (possibly the same).
        const mutual = (MODERN_VERSIONS as readonly string[]).find((v) => supported.includes(v));
        if (mutual) {
          version = mutual;
          continue;
        }
      }
      return undefined;
    }
    return undefined;
  }
  private initFailure?: { message: string; data?: Record<string, unknown> };
  private discover?: Record<string, unknown>;

  /** Adapting for a 2025 client: what the bridge answers itself. */
  private answerLocally(m: Message): 'done' | undefined {
    const id = m.id as Id;
    switch (m.method) {
      case 'initialize': {
        const d = this.discover ?? {};
        const asked = isObject(m.params) ? m.params.protocolVersion : undefined;
        const version = typeof asked === 'string' && (LEGACY_VERSIONS as readonly string[]).includes(asked) ? asked : LEGACY_VERSIONS[0];
        const serverInfo = (isObject(d._meta) && isObject(d._meta[META.serverInfo]) ? d._meta[META.serverInfo] : d.serverInfo) ?? {
          name: this.o.name,
          version: '0',
        };
        const result: Record<string, unknown> = { protocolVersion: version, capabilities: isObject(d.capabilities) ? d.capabilities : {}, serverInfo };
        if (typeof d.instructions === 'string') result.instructions = d.instructions;
        this.o.write({ jsonrpc: '2.0', id, result });
        return 'done';
      }
      case 'notifications/initialized':
        // The client may now get notifications: the 2026 way is a subscriptions/listen stream.
        this.listenWanted = true;
        this.openListen();
        return 'done';
      case 'notifications/roots/list_changed':
        return 'done'; // no such thing in 2026: capabilities travel with every request
      case 'resources/subscribe':
      case 'resources/unsubscribe': {
        // Gone in 2026: the URIs are part of the listen stream's filter, which is opened again with them.
        const uri = isObject(m.params) ? m.params.uri : undefined;
        if (typeof uri !== 'string') {
          this.o.write(errorResponse(id, ERROR.invalidParams, `${m.method} needs a uri.`));
          return 'done';
        }
        if (m.method === 'resources/subscribe') this.resourceSubscriptions.add(uri);
        else this.resourceSubscriptions.delete(uri);
        if (this.listenWanted) this.openListen();
        this.o.write({ jsonrpc: '2.0', id, result: {} });
        return 'done';
      }
      case 'ping':
        this.o.write({ jsonrpc: '2.0', id, result: {} });
        return 'done';
      case 'logging/setLevel': {
        const level = isObject(m.params) ? m.params.level : undefined;
        if (typeof level === 'string') this.logLevel = level;
        this.o.write({ jsonrpc: '2.0', id, result: {} });
        return 'done';
      }
      default:
        return undefined;
    }
  }

  /** What the 2025 client may expect, as the server's capabilities declare it (null: nothing to listen for). */
  private listenFilter(): Record<string, unknown> | null {
    const caps = isObject(this.discover?.capabilities) ? this.discover.capabilities : {};
    const declared = (k: string, flag: string) => isObject(caps[k]) && caps[k][flag] === true;
    const filter: Record<string, unknown> = {};
    if (declared('tools', 'listChanged')) filter.toolsListChanged = true;
    if (declared('prompts', 'listChanged')) filter.promptsListChanged = true;
    if (declared('resources', 'listChanged')) filter.resourcesListChanged = true;
    if (this.resourceSubscriptions.size > 0) filter.resourceSubscriptions = [...this.resourceSubscriptions];
    return Object.keys(filter).length > 0 ? filter : null;
  }

  /** (Re)open the subscriptions/listen stream with the current filter; the previous one is closed (2026 cancellation). */
  private openListen(): void {
    clearTimeout(this.listenTimer);
    this.listen?.abort.abort();
    this.listen = undefined;
    const filter = this.listenFilter();
    if (this.closed || !filter) return;
    const id = `${OWN_PREFIX}listen-${++this.ownSeq}`;
    const listen = { id, abort: new AbortController() };
    this.listen = listen;
    const ended = (why: string, again = true) => {
      if (this.listen !== listen || this.closed) return;
      this.listen = undefined;
      if (!again) {
        // The server does not take subscriptions/listen (it declared list changes all the same): asking
        // again would only fill the log. The client's requests work; it just hears of no changes.
        this.o.log.note(`the server refused subscriptions/listen (${why}); no change notifications from it`);
        return;
      }
      this.o.log.note(`the server's notification stream ended (${why}); opening it again in ${Math.round(this.listenRetryMs / 1000)} s`);
      this.listenTimer = setTimeout(() => this.openListen(), this.listenRetryMs);
      this.listenTimer.unref?.();
      this.listenRetryMs = Math.min(this.listenRetryMs * 2, 30_000);
    };
    // Its answer comes only when the server ends the subscription (or refuses it).
    this.ownUp.set(id, (answer) =>
      answer.error
        ? ended(
            `${answer.error.code}: ${String(answer.error.message).slice(0, 120)}`,
            answer.error.code !== ERROR.methodNotFound && answer.error.code !== ERROR.invalidRequest,
          )
        : ended('closed by the server'),
    );
    const m = this.withEnvelope({ jsonrpc: '2.0', id, method: 'subscriptions/listen', params: { notifications: filter } });
    this.o.log.event({ dir: 'up', method: 'subscriptions/listen', id, kind: 'request' });
    this.sendUp(m, { requestSignal: listen.abort.signal, onRequestStreamEnd: () => ended('the stream closed') }).catch((e) => {
      this.ownUp.delete(id);
      // A server or network trouble is tried again; an HTTP answer that the method is not there is not.
      const status = httpStatus(e);
      if (!listen.abort.signal.aborted) ended(this.describe(e).message, !(status === 400 || status === 404 || status === 405 || status === 501));
    });
  }

  private withEnvelope(m: Message): Message {
    const params = isObject(m.params) ? m.params : {};
    const meta = { ...(isObject(params._meta) ? params._meta : {}), ...this.envelope, ...(this.logLevel ? { [META.logLevel]: this.logLevel } : {}) };
    return { ...m, params: { ...params, _meta: meta } };
  }

  // ---- the server side ----

  private ensureTransport(): Transport {
    if (this.transport) return this.transport;
    this.sdk ??= this.o.loadSdk();
    const generation = ++this.generation;
    // A new session opens its own standalone stream (after its notifications/initialized).
    this.standaloneLost = false;
    clearTimeout(this.reopenTimer);
    const t = new this.sdk.StreamableHTTPClientTransport(this.o.url, {
      fetch: this.authorizedFetch(),
      // A server's `retry:` replaces these; reconnecting a few more times than the SDK's 2 keeps a long
      // session's GET stream alive through a server restart.
      reconnectionOptions: { initialReconnectionDelay: 1000, maxReconnectionDelay: 30_000, reconnectionDelayGrowFactor: 1.5, maxRetries: 5 },
    });
    if (this.protocolVersion) t.setProtocolVersion(this.protocolVersion);
    t.onmessage = (msg) => {
      if (generation === this.generation) this.onUpstream(msg as Message);
    };
    t.onerror = (e) => {
      if (generation !== this.generation || this.closed) return;
      // The standalone GET is optional: 404 and 405 both mean the server offers none.
      const s = httpStatus(e);
      if (/SSE stream/.test(e.message) && (s === 404 || s === 405)) return;
      this.o.log.event({ error: this.describe(e).message });
      if (/Maximum reconnection attempts/.test(e.message)) {
        // The SDK says which stream only by what follows at once: a request's stream ends next (its
        // onRequestStreamEnd, in this same turn); the standalone GET's has no such callback.
        this.gaveUpOnStream = true;
        queueMicrotask(() => {
          if (!this.gaveUpOnStream || generation !== this.generation || this.closed) return;
          this.gaveUpOnStream = false;
          this.o.log.note('the server stream for notifications was lost; it is opened again once the server answers');
          this.standaloneStreamLost(generation);
        });
      }
    };
    void t.start();
    this.transport = t;
    return t;
  }

  /** Each request gets the credential's headers; a 401 gets one refresh and one retry. */
  private authorizedFetch(): typeof fetch {
    const base = this.o.fetch ?? fetch;
    const cred = this.o.credential;
    return async (input, init) => {
      const started = Date.now();
      const send = async () => {
        const extra = await cred.headers();
        const headers = new LightHeaders(init?.headers as ConstructorParameters<typeof LightHeaders>[0]);
        for (const [k, v] of Object.entries(extra)) headers.set(k, v);
        return { res: await base(input, { ...init, headers: headers as unknown as HeadersInit }), extra };
      };
      const first = await send();
      let res = first.res;
      if (res.status === 401 && (await cred.refreshAfter401(first.extra))) {
        await res.body?.cancel().catch(() => {});
        ({ res } = await send());
      }
      this.o.log.event({
        http: init?.method ?? 'GET',
        status: res.status,
        ms: Date.now() - started,
        type: res.headers.get('content-type') ?? undefined,
        bytes: Number(res.headers.get('content-length') ?? '') || undefined,
      });
      return res;
    };
  }

  private async sendUp(m: Message, opts: NonNullable<SendOptions>, retried = false): Promise<void> {
    const t = this.ensureTransport();
    const generation = this.generation;
    try {
      await t.send(m as never, opts);
      // The server answered: a standalone stream lost while it was unreachable can be opened again.
      if (this.standaloneLost) this.reopenStandalone(generation);
    } catch (e) {
      // A session the server forgot (it restarted): a new one, then the same message once more.
      if (!retried && httpStatus(e) === 404 && t.sessionId && this.initializeRequest && m.method !== 'initialize') {
        await this.reestablish(generation);
        return this.sendUp(m, opts, true);
      }
      // Another message found the session gone while this one was on its way, and closing the old
      // transport cut it off unanswered: it goes again on the new session (as its own 404 would have made it).
      if (!retried && isAbort(e) && generation !== this.generation && !opts.requestSignal?.aborted && m.method !== 'initialize' && this.initializeRequest) {
        await this.reestablishing;
        return this.sendUp(m, opts, true);
      }
      throw e;
    }
  }

  /** The standalone stream is gone: opened again after the next exchange that reaches the server, or on a timer. */
  private standaloneStreamLost(generation: number): void {
    this.standaloneLost = true;
    this.reopenTimer = setTimeout(() => this.reopenStandalone(generation), REOPEN_STANDALONE_MS);
    this.reopenTimer.unref?.();
  }

  /** Open the standalone GET stream again (a fresh one: the SDK keeps the lost stream's last event id to itself). */
  private reopenStandalone(generation: number): void {
    clearTimeout(this.reopenTimer);
    this.reopenTimer = undefined;
    const t = this.transport;
    if (!this.standaloneLost || generation !== this.generation || this.closed || !t?.sessionId) return;
    this.standaloneLost = false;
    this.o.log.note('the server answers again: opening its stream for notifications again');
    t.resumeStream('').then(
      () => {},
      (e) => {
        // Session gone (404): the next request starts a new session, whose transport opens its own stream.
        if (generation !== this.generation || this.closed || httpStatus(e) === 404) return;
        this.standaloneStreamLost(generation);
      },
    );
  }

  private reestablish(failedGeneration: number): Promise<void> {
    if (failedGeneration !== this.generation) return this.reestablishing ?? Promise.resolve();
    if (this.reestablishing) return this.reestablishing;
    const old = this.transport!;
    this.reestablishing = (async () => {
      this.o.log.note(`the server forgot the session (HTTP 404); starting a new one`);
      this.transport = undefined;
      void old.close().catch(() => {});
      // Requests that were streaming on the old session will not be answered: say so now.
      for (const [key, p] of this.pending) {
        if (p.generation === failedGeneration && p.sent) {
          this.pending.delete(key);
          this.fail(parseKey(key), `${this.o.name}: the server restarted while ${p.method} was running; try again.`);
        } else if (p.generation === failedGeneration) p.generation = failedGeneration + 1;
      }
      const t = this.ensureTransport();
      const init = this.initializeRequest!;
      const answer = await this.ask('initialize', init.params ?? {}, true);
      if (answer.error) throw new Error(`initialize failed again: ${answer.error.message}`);
      const v = answer.result?.protocolVersion;
      if (typeof v === 'string') {
        this.protocolVersion = v;
        t.setProtocolVersion(v);
      }
      await t.send({ jsonrpc: '2.0', method: 'notifications/initialized' } as never);
    })().finally(() => (this.reestablishing = undefined));
    return this.reestablishing;
  }

  /** A request of the bridge's own; its answer does not reach the client. */
  private ask(method: string, params: Record<string, unknown>, raw = false): Promise<Message> {
    const id = `${OWN_PREFIX}${++this.ownSeq}`;
    return new Promise<Message>((resolve, reject) => {
      this.ownUp.set(id, resolve);
      const t = this.ensureTransport();
      const send = raw ? t.send({ jsonrpc: '2.0', id, method, params } as never) : this.sendUp({ jsonrpc: '2.0', id, method, params }, {});
      send.catch((e) => {
        this.ownUp.delete(id);
        reject(e);
      });
    });
  }

  private onUpstream(m: Message): void {
    if (isResponse(m) && typeof m.id === 'string' && this.ownUp.has(m.id)) {
      const done = this.ownUp.get(m.id)!;
      this.ownUp.delete(m.id);
      done(m);
      return;
    }
    if (this.adapting && m.method === 'notifications/subscriptions/acknowledged') {
      // The listen stream is up (a 2025 client has no such notification).
      this.listenRetryMs = LISTEN_RETRY_MS;
      this.o.log.event({ dir: 'down', method: m.method, kind: 'notification' });
      return;
    }
    if (!isResponse(m) || m.id === undefined || m.id === null) {
      this.o.log.event({
        dir: 'down',
        method: m.method,
        id: m.id === undefined ? undefined : String(m.id),
        kind: m.id === undefined ? 'notification' : 'request',
      });
      this.o.write(m);
      return;
    }
    const upKey = idKey(m.id);
    const key = this.alias.get(upKey) ?? upKey;
    this.alias.delete(upKey);
    const p = this.pending.get(key);
    if (p && key !== upKey) m = { ...m, id: p.clientId };
    if (!p) {
      this.o.write(m); // late (cancelled) answers: the client ignores unknown ids
      return;
    }
    if (p.method === 'initialize' && typeof m.result?.protocolVersion === 'string') {
      this.protocolVersion = m.result.protocolVersion;
      this.transport?.setProtocolVersion(this.protocolVersion);
    }
    if (p.method === 'server/discover') this.afterDiscover(m);
    if (p.method === 'tools/list' && Array.isArray(m.result?.tools)) m = this.filterTools(m);
    if (m.error?.code === ERROR.headerMismatch && p.method === 'tools/call' && !p.relisted) {
      // The server's x-mcp-header declarations changed since the last tools/list: list again, retry once.
      p.relisted = true;
      void this.relistAndRetry(key, p);
      return;
    }
    if (this.adapting && m.result?.resultType === 'input_required') {
      void this.fulfilInput(m.id as Id, p, m.result);
      return;
    }
    if (this.adapting && m.result && 'resultType' in m.result) {
      const { resultType: _drop, ...rest } = m.result;
      m = { ...m, result: rest };
    }
    this.pending.delete(key);
    this.o.log.event({ dir: 'down', method: p.method, id: String(m.id), kind: m.error ? 'error' : 'result' });
    this.o.write(m);
  }

  /** A 2026 client probing: a DiscoverResult means a 2026 server; any other answer a 2025 one. */
  private afterDiscover(m: Message): void {
    if (m.result && Array.isArray(m.result.supportedVersions)) this.era = 'modern';
    else if (m.error?.code === ERROR.unsupportedVersion)
      return; // the client retries with a version from data.supported
    else {
      this.era = 'legacy';
      // The client then falls back to initialize, which the 2025 server understands.
      m.error = { code: ERROR.methodNotFound, message: 'Method not found: the server speaks the 2025 protocol (use initialize)' };
      delete m.result;
    }
  }

  /** 2026: tools whose `x-mcp-header` declarations are invalid MUST be left out; the valid ones' scans are kept. */
  private filterTools(m: Message): Message {
    const tools = m.result!.tools as unknown[];
    const kept: unknown[] = [];
    for (const tool of tools) {
      if (!isObject(tool) || typeof tool.name !== 'string') continue;
      const scan = scanHeaderDeclarations(tool.inputSchema);
      this.tools.set(tool.name, scan);
      if (scan.valid || this.era !== 'modern') kept.push(tool);
      else this.o.log.note(`left out tool ${JSON.stringify(tool.name).slice(0, 80)}: ${scan.reason}`);
    }
    return kept.length === tools.length ? m : { ...m, result: { ...m.result, tools: kept } };
  }

  /**
   * 2026 servers ask for input (sampling, elicitation, roots) in an `input_required` result; a 2025
   * client answers server-to-client requests instead. Ask the client each one, then send the original
   * request again with the answers and the server's `requestState`, unchanged.
   */
  private async relistAndRetry(key: string, p: Pending): Promise<void> {
    try {
      const params = isObject(p.message.params) && isObject(p.message.params._meta) ? { _meta: p.message.params._meta } : {};
      const listed = await this.ask('tools/list', params);
      if (Array.isArray(listed.result?.tools)) this.filterTools(listed);
    } catch {
      // The retry below fails the same way and reaches the client.
    }
    if (this.pending.get(key) !== p) return; // cancelled meanwhile
    this.resend(key, p, p.message.params ?? {});
  }

  /** Send a pending request again on a new upstream id, answered under the client's id. */
  private resend(key: string, p: Pending, params: Record<string, unknown>): void {
    const retryId = `${OWN_PREFIX}${++this.ownSeq}`;
    this.alias.set(idKey(retryId), key);
    p.message = { ...p.message, id: retryId, params };
    p.sent = false;
    this.forward(p.message, true, key);
  }

  private async fulfilInput(id: Id, p: Pending, result: Record<string, unknown>): Promise<void> {
    const key = idKey(id);
    const requests = isObject(result.inputRequests) ? result.inputRequests : {};
    if (++p.rounds > MAX_INPUT_ROUNDS) {
      this.pending.delete(key);
      this.fail(id, `${this.o.name}: the server asked for input more than ${MAX_INPUT_ROUNDS} times for one request.`);
      return;
    }
    const responses: Record<string, unknown> = {};
    for (const [name, req] of Object.entries(requests)) {
      if (!isObject(req) || typeof req.method !== 'string') continue;
      const ownId = `${OWN_PREFIX}${++this.ownSeq}`;
      const answer = await new Promise<Message>((resolve) => {
        this.ownDown.set(ownId, resolve);
        this.o.write({ jsonrpc: '2.0', id: ownId, method: req.method as string, params: isObject(req.params) ? req.params : {} });
      });
      if (this.pending.get(key) !== p) return; // cancelled meanwhile
      if (answer.error) {
        this.pending.delete(key);
        this.o.write(errorResponse(id, answer.error.code, answer.error.message, answer.error.data));
        return;
      }
      responses[name] = answer.result;
    }
    const params = { ...(isObject(p.message.params) ? p.message.params : {}), inputResponses: responses };
    if (result.requestState !== undefined) (params as Record<string, unknown>).requestState = result.requestState;
    else delete (params as Record<string, unknown>).requestState;
    // The retry is a new request: a new id (the server may still hold the old one), answered under the client's.
    this.resend(key, p, params);
  }

  // ---- errors ----

  private fail(id: Id, text: string | { message: string; data?: Record<string, unknown> }): void {
    const e = typeof text === 'string' ? { message: text } : text;
    if (!this.shown.has(e.message)) {
      this.shown.add(e.message);
      this.o.log.note(e.message);
    }
    this.o.write(errorResponse(id, ERROR.internal, e.message, e.data));
  }

  /** A failure as the person should read it: what happened, and the fix. Never a header value. */
  private describe(e: unknown): { message: string; data?: Record<string, unknown> } {
    const name = this.o.name;
    if (e instanceof CredentialError) return { message: `${e.message} Fix: ${e.fix}`, data: { fix: e.fix } };
    const status = httpStatus(e);
    if (status === 401 || status === 403) {
      const fix = this.o.credential.refusedFix();
      return { message: `${name}: the server refused the request (HTTP ${status}). Fix: ${fix}`, data: { fix, status } };
    }
    if (status !== undefined) return { message: `${name}: the server answered HTTP ${status} (${safeUrl(this.o.url)}).`, data: { status } };
    const cause = (e as { cause?: { code?: string } })?.cause?.code;
    const msg = (e as Error)?.message ?? String(e);
    if (isNetworkError(e)) {
      const fix = `Check that ${safeUrl(this.o.url)} is the right URL and reachable from this machine.`;
      return { message: `${name}: cannot reach ${this.o.url.host}${cause ? ` (${cause})` : ''}. Fix: ${fix}`, data: { fix } };
    }
    return { message: `${name}: ${msg.slice(0, 300)}` };
  }
}

function httpStatus(e: unknown): number | undefined {
  const d = (e as { data?: { status?: unknown } })?.data;
  return typeof d?.status === 'number' ? d.status : undefined;
}

function parseKey(key: string): Id {
  return key[0] === 'n' ? Number(key.slice(1)) : key.slice(1);
}

function isAbort(e: unknown): boolean {
  return (e as { name?: unknown })?.name === 'AbortError';
}

/** fetch could not reach the server at all (refused, DNS, reset), as opposed to an HTTP answer. */
function isNetworkError(e: unknown): boolean {
  return e instanceof TypeError && /fetch failed/.test(e.message);
}
