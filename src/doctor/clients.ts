/**
 * Every client file, whoever wrote its entries: it parses (else path:line:column and what that costs in
 * that client), each remote or bridge entry has the shape its client needs (the adapters' `read()`
 * problems, and servers put where the client never looks), names shadowed across scopes, one server
 * under several names, two accounts of one server in a client that keys logins by URL, a `${VAR}` unset
 * here or unseen by a GUI app, a literal secret in a file others can read, a bridge whose command does
 * not resolve, a project entry the client will ask about, an entry pointing at a preset's staging URL.
 * Per-client knowledge lives in the adapters (src/targets/*.ts, `read()` and `doctor`).
 */
import { ConfigParseError, UserError } from '../errors.js';
import { editorFor, editsBinary } from '../edit/document.js';
import { readText, readTextAs, resolveReal } from '../files/io.js';
import { onPath, type Platform } from '../platform.js';
import { PRESETS } from '../presets/index.js';
import { credentialInQuery, showUrl } from '../servers.js';
import type { Format, ReadEntry, Scope, Target, TargetContext } from '../targets/types.js';
import { printable, tildify } from '../ui.js';
import { fail, ok, sh, warn, type Where } from './engine.js';
import type { DoctorCheck } from './types.js';

export interface ScannedEntry {
  target: Target;
  scope: Scope;
  file: string;
  container: readonly string[];
  name: string;
  raw: unknown;
  read: ReadEntry;
  /** Found in a container this client never reads (VS Code's `mcpServers`). */
  misplaced?: boolean;
  /** The same name in a scope the client prefers. */
  shadowedBy?: Scope;
  /** The file's permission bits (POSIX), when known. */
  mode?: number;
}

export interface ScanResult {
  entries: ScannedEntry[];
  checks: DoctorCheck[];
}

const PRECEDENCE: Record<Scope, number> = { user: 0, project: 1, local: 2 };

/** Read every file of every target (no network): the entries, and the files that do not parse. */
export function scanClients(p: Platform, tctx: TargetContext, targets: readonly Target[]): ScanResult {
  const entries: ScannedEntry[] = [];
  const checks: DoctorCheck[] = [];
  for (const t of targets) {
    const found: ScannedEntry[] = [];
    const seen = new Set<string>();
    const parsed = new Set<string>();
    for (const scope of t.scopes) {
      const file = t.file(scope, tctx);
      const container = t.container(scope, tctx);
      const key = file + '\0' + container.join('\0');
      if (seen.has(key)) continue;
      seen.add(key);
      const w: Where = { subject: t.id, target: t.id };
      let text: string | null;
      let real: string;
      let doc;
      try {
        real = resolveReal(p, file);
        const binary = editsBinary(t.format);
        text = readTextAs(p, real, binary);
        if (text === null) continue;
        doc = editorFor(t.format).parse(text, file, { binary });
        editorFor(t.format).validate(doc);
      } catch (e) {
        if (parsed.has(file)) continue; // said once per file
        parsed.add(file);
        const cost = t.doctor?.parseErrorCost ? `; ${t.doctor.parseErrorCost}` : '';
        if (e instanceof ConfigParseError)
          checks.push(
            fail(
              w,
              'client.parse',
              `${e.file}:${e.line}:${e.column}: ${e.reason}${cost}`,
              `Fix the syntax at ${sh(e.file)}:${e.line}:${e.column} (mcpwire never rewrites a file it cannot parse).`,
            ),
          );
        else {
          // A message that names the file already (a folder, a FIFO, not UTF-8…) is not prefixed with it again.
          const message = String((e as Error).message);
          checks.push(
            fail(w, 'client.parse', `${message.startsWith(file) ? message : `${file}: ${message}`}${cost}`, e instanceof UserError ? e.fix : undefined),
          );
        }
        continue;
      }
      if (!parsed.has(file)) {
        parsed.add(file);
        checks.push(ok(w, 'client.parse', `${tildify(p, file)} parses`));
      }
      let mode: number | undefined;
      try {
        mode = p.os === 'win32' ? undefined : Number(p.fs.statSync(real).mode) & 0o777;
      } catch {
        mode = undefined;
      }
      const editor = editorFor(t.format);
      const places: Array<{ container: readonly string[]; misplaced: boolean }> = [
        { container, misplaced: false },
        ...(scope === 'local' ? [] : (t.doctor?.misplaced ?? []).map((c) => ({ container: c, misplaced: true }))),
      ];
      for (const place of places) {
        try {
          const inFile = editor.entries(doc, place.container);
          const twice = editor.duplicates(doc, place.container);
          for (const [name, raw] of Object.entries(inFile)) {
            const read = t.read(name, raw);
            if (read.kind !== 'remote' && read.kind !== 'bridge') continue;
            if (twice.includes(name)) read.problems.push(`"${name}" is defined more than once in this file: the client uses the last one`);
            found.push({ target: t, scope, file, container: place.container, name, raw, read, misplaced: place.misplaced || undefined, mode });
          }
        } catch (e) {
          // An odd layout (the servers key holding a list, a string): a finding, never an exception.
          checks.push(
            fail(
              { subject: t.id, target: t.id },
              'client.parse',
              `${file}: "${place.container.join('.')}" cannot be read as ${t.name}'s servers (${(e as Error).message})`,
              `Fix "${place.container.join('.')}" in ${file} by hand: it must be an object of servers.`,
            ),
          );
        }
      }
    }
    for (const e of found) {
      if (e.misplaced) continue;
      const winner = found
        .filter((o) => !o.misplaced && o.name === e.name && PRECEDENCE[o.scope] > PRECEDENCE[e.scope])
        .sort((a, b) => PRECEDENCE[b.scope] - PRECEDENCE[a.scope])[0];
      if (winner) e.shadowedBy = winner.scope;
    }
    entries.push(...found);
  }
  return { entries, checks };
}

/** `${VAR}`, `${env:VAR}`, `${VAR:-default}` (Claude Code), `$VAR` (Codex's variable names as read back). */
export function envRefs(value: string): Array<{ name: string; hasDefault: boolean }> {
  const out: Array<{ name: string; hasDefault: boolean }> = [];
  for (const m of value.matchAll(/\$\{(?:env:)?([A-Za-z_][A-Za-z0-9_]*)(:-[^}]*)?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g))
    out.push({ name: m[1] ?? m[3], hasDefault: Boolean(m[2]) });
  return out;
}

const SECRET_HEADER = /auth|key|token|secret|cookie|session|pass/i;

/** A header value written as is (not a reference the client resolves) in a header that carries a credential. */
function literalSecrets(e: ScannedEntry): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(e.read.headers ?? {})) {
    if (!SECRET_HEADER.test(k)) continue;
    if (/\$\{[^}]+\}|^(Bearer )?\$[A-Za-z_]/.test(v)) continue;
    out.push(`the ${k} header`);
  }
  if (e.read.url) {
    try {
      const param = credentialInQuery(new URL(e.read.url));
      if (param) out.push(`the URL's ${param} parameter`);
    } catch {
      /* an unparsable URL is another finding */
    }
  }
  if (typeof (e.raw as { bearer_token?: unknown })?.bearer_token === 'string') out.push('bearer_token');
  const env = (e.raw as { env?: unknown })?.env;
  if (env && typeof env === 'object') for (const k of Object.keys(env)) if (/^MCPWIRE_HEADER_\d+$/.test(k)) out.push(`${k} in its env`);
  return out;
}

/** A bridge's command: absolute and present, or found on the PATH the client will search. */
function resolveCommand(p: Platform, command: string, gui: boolean): { ok: boolean; why?: string } {
  if (p.path.isAbsolute(command)) return p.fs.existsSync(command) ? { ok: true } : { ok: false, why: `${command} does not exist` };
  if (!onPath(p, command)) return { ok: false, why: `"${command}" is not on PATH` };
  if (gui) return { ok: true, why: `"${command}" is found on this shell's PATH; a GUI app started from the dock may not have that PATH` };
  return { ok: true };
}

/** Findings about each entry on its own (`pelcro/cursor`). */
/** A file's parsed content for an adapter's question (undefined: absent, unreadable or not parsable). */
function readDoc(p: Platform, file: string, format: Format): unknown {
  try {
    const text = readText(p, resolveReal(p, file));
    if (text === null) return undefined;
    if (format === 'toml') return (editorFor('toml').parse(text, file) as unknown as { data: unknown }).data;
    // Settings files may hold comments: through the JSONC parser, whatever the format.
    const editor = editorFor('jsonc');
    return editor.valueAt(editor.parse(text, file), []);
  } catch {
    return undefined;
  }
}

export function checkEntry(p: Platform, e: ScannedEntry, tctx: TargetContext): DoctorCheck[] {
  const t = e.target;
  const w: Where = { subject: `${e.name}/${t.id}`, server: e.name, target: t.id };
  const out: DoctorCheck[] = [];
  const where = `${tildify(p, e.file)}${e.scope === 'user' ? '' : ` (${e.scope})`}`;
  const fixCmd = `mcpwire doctor ${sh(e.name)} --fix`;
  if (e.misplaced) {
    out.push(
      fail(
        w,
        'client.shape',
        `${where}: under "${e.container.join('.')}", which ${t.name} never reads (it reads "${t.container(e.scope, { platform: p, projectRoot: '' }).join('.')}")`,
        fixCmd,
      ),
    );
  }
  for (const problem of e.read.problems) out.push(fail(w, 'client.shape', `${where}: ${problem}`, fixable(e) ? fixCmd : undefined));
  if (!e.misplaced && e.read.problems.length === 0)
    out.push(ok(w, 'client.shape', `${where}: ${e.read.kind === 'bridge' ? 'bridge (stdio)' : 'remote'} entry in ${t.name}'s shape`));
  if (e.shadowedBy)
    out.push(
      warn(
        w,
        'client.shadowed',
        `${where}: shadowed by the ${e.shadowedBy}-scope entry of the same name (${t.name} uses that one)`,
        `mcpwire mcp remove ${sh(e.name)} --target ${t.id} --scope ${e.scope}`,
      ),
    );
  const note = e.scope !== 'user' ? t.scopeNote?.(e.scope) : undefined;
  if (note && !e.shadowedBy) {
    const answer = t.doctor?.projectApproval?.({ platform: p, projectRoot: tctx.projectRoot }, e.name, (f, format) => readDoc(p, f, format));
    if (answer?.state === 'declined')
      out.push(fail(w, 'client.project-trust', `${t.name} was told not to load it (${tildify(p, answer.file)}): the entry is ignored`, answer.fix));
    else if (answer?.state !== 'approved')
      out.push(warn(w, 'client.project-trust', note, `Start ${t.name} in ${printable(tctx.projectRoot)} and approve the server when it asks.`));
  }

  // Variables the client resolves.
  const refs = new Map<string, boolean>();
  const values = [...Object.values(e.read.headers ?? {}), e.read.url ?? ''];
  const args = (e.raw as { args?: unknown })?.args;
  if (Array.isArray(args))
    for (const a of args) if (typeof a === 'string') values.push(a.replace(/^([^=]+)=([A-Za-z_][A-Za-z0-9_]*)$/, (_m, _k, v) => `$${v}`));
  for (const v of values) for (const r of envRefs(v)) refs.set(r.name, (refs.get(r.name) ?? false) || r.hasDefault);
  const env = (e.raw as { env?: Record<string, unknown> })?.env;
  for (const [name, hasDefault] of refs) {
    if (env && typeof env === 'object' && typeof env[name] === 'string') continue; // the entry sets it itself
    if (p.env[name] === undefined || p.env[name] === '') {
      if (!hasDefault)
        out.push(
          warn(
            w,
            'client.env',
            `$${name} is not set here: ${t.name} will send the header empty or refuse to start the server`,
            `export ${name}=… (or log in instead: mcpwire auth login ${sh(e.name)})`,
          ),
        );
    } else if (t.doctor?.gui)
      out.push(
        warn(
          w,
          'client.env',
          `$${name} is set in this shell, but ${t.name} is a GUI app: started from the dock or a menu it does not see it`,
          p.os === 'darwin'
            ? `launchctl setenv ${name} "$${name}", then restart ${t.name}`
            : `Start ${t.name} from this shell, or set ${name} in your session's environment.`,
        ),
      );
  }

  const secrets = literalSecrets(e);
  if (secrets.length && e.mode !== undefined && (e.mode & 0o077) !== 0)
    out.push(
      fail(
        w,
        'client.secret',
        `${where} holds a literal secret (${secrets.join(', ')}) and is readable by others (mode ${e.mode.toString(8).padStart(4, '0')})`,
        `chmod 600 ${sh(e.file)}`,
      ),
    );

  if (e.read.kind === 'bridge') {
    const command = (e.raw as { command?: unknown })?.command;
    if (typeof command === 'string') {
      const r = resolveCommand(p, command, Boolean(t.doctor?.gui));
      if (!r.ok)
        out.push(
          fail(
            w,
            'client.bridge',
            `${where}: the bridge's command does not resolve: ${printable(r.why ?? command)}`,
            `mcpwire mcp add ${sh(e.name)} --target ${t.id} --force`,
          ),
        );
      else if (r.why)
        out.push(warn(w, 'client.bridge', `${where}: ${printable(r.why)}`, `mcpwire mcp add ${sh(e.name)} --target ${t.id} --force (writes absolute paths)`));
    }
  }

  for (const preset of PRESETS) {
    if (e.read.url && preset.urls.staging && sameUrl(e.read.url, preset.urls.staging))
      out.push(
        warn(
          w,
          'client.staging',
          `${where}: points at ${preset.title}'s STAGING server (${preset.urls.staging})`,
          `mcpwire mcp add ${sh(e.name)} --target ${t.id} --url ${sh(preset.urls.production)} --force`,
        ),
      );
  }
  return out;
}

export function sameUrl(a: string, b: string): boolean {
  try {
    const x = new URL(a);
    const y = new URL(b);
    return x.origin === y.origin && x.pathname.replace(/\/$/, '') === y.pathname.replace(/\/$/, '') && x.search === y.search;
  } catch {
    return a === b;
  }
}

/** A remote entry whose URL is known can be rendered again in its client's shape. */
export function fixable(e: ScannedEntry): boolean {
  return e.read.kind === 'remote' && typeof e.read.url === 'string' && !e.read.problems.some((x) => /more than once/.test(x));
}

/** Findings across entries: one server under several names, two accounts in a client keying logins by URL, names pointing at different URLs. */
export function checkAcrossEntries(entries: readonly ScannedEntry[], recorded: Readonly<Record<string, string>>): DoctorCheck[] {
  const out: DoctorCheck[] = [];
  const live = entries.filter((e) => !e.shadowedBy && !e.misplaced && e.read.url);
  for (const t of new Set(live.map((e) => e.target))) {
    const mine = live.filter((e) => e.target === t);
    const byUrl = new Map<string, ScannedEntry[]>();
    for (const e of mine) {
      const key = [...byUrl.keys()].find((k) => sameUrl(k, e.read.url!)) ?? e.read.url!;
      byUrl.set(key, [...(byUrl.get(key) ?? []), e]);
    }
    for (const [url, group] of byUrl) {
      const names = [...new Set(group.map((e) => e.name))];
      if (names.length < 2) continue;
      const second = group.find((e) => e.name === names[1])!;
      const w: Where = { subject: `${second.name}/${t.id}`, server: second.name, target: t.id };
      const natives = group.filter((e) => e.read.kind === 'remote');
      if (t.doctor?.keysLoginsByUrl && new Set(natives.map((e) => e.name)).size >= 2) {
        out.push(
          fail(
            w,
            'client.same-url',
            `${names.join(' and ')} are native entries for one server (${showUrl(url)}) in ${t.name}, which keys logins by URL: they share one account, or one entry silently disappears`,
            `mcpwire auth login ${sh(second.name)} && mcpwire doctor ${sh(second.name)} --fix`,
          ),
        );
      } else
        out.push(
          warn(
            w,
            'client.same-url',
            `one server (${showUrl(url)}) under several names in ${t.name}: ${names.join(', ')} (its tools show twice, unless these are two accounts)`,
            `mcpwire mcp remove ${sh(second.name)} --target ${t.id}`,
          ),
        );
    }
  }
  for (const e of live) {
    const rec = Object.hasOwn(recorded, e.name) ? recorded[e.name] : undefined;
    if (rec && !sameUrl(rec, e.read.url!))
      out.push(
        warn(
          { subject: `${e.name}/${e.target.id}`, server: e.name, target: e.target.id },
          'client.url',
          `${sh(e.name)} in ${e.target.name} points at ${showUrl(e.read.url!)}, but mcpwire knows ${sh(e.name)} as ${showUrl(rec)}`,
          `mcpwire mcp add ${sh(e.name)} --target ${e.target.id} --url ${sh(showUrl(rec))} --force`,
        ),
      );
  }
  return out;
}
