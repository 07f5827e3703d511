/**
 * `doctor --fix`: the fixes that are safe to apply without asking, all in one transaction journaled as
 * `doctor --fix` (so `mcpwire undo` puts every file back): an entry of the wrong shape is rendered again
 * in its client's shape (keeping the keys the user added), and an entry a client never reads (VS Code's
 * `mcpServers`) is moved where it reads; a second account's native entry in a client that keys logins by
 * URL (Claude Code) moves onto the bridge when mcpwire holds that account's login. Entries whose URL is unknown are left for the user. An expired
 * login that can be refreshed is refreshed by `mcpwire auth token NAME` (the same code and lock as
 * every refresh; its output, the token, goes nowhere); a refresh cannot be undone, nor needs to be.
 */
import { spawn } from 'node:child_process';
import type { AuthRecord } from '../auth/provider.js';
import { currentTokens, storedApiKey } from '../auth/record.js';
import { openCredentialStore } from '../auth/store/index.js';
import { addToText } from '../entries.js';
import { editorFor } from '../edit/document.js';
import { applyPlans, type PlannedWrite, type WriteReport } from '../files/apply.js';
import type { Context } from '../commands/context.js';
import type { ServerSpec } from '../targets/types.js';
import { claudeDesktop } from '../targets/claude-desktop.js';
import { fixable, sameUrl, scanClients, type ScannedEntry } from './clients.js';
import { TARGETS } from '../targets/index.js';

/** The entry as a spec: its URL, literal headers, and headers from variables (`${VAR}`, `${env:VAR}`, `Bearer ${VAR}`, `$VAR`). */
export function specOf(e: ScannedEntry): ServerSpec {
  const headers: ServerSpec['headers'] = [];
  const headerEnvs: ServerSpec['headerEnvs'] = [];
  const all: Record<string, string> = { ...(e.read.headers ?? {}) };
  // Codex's literal bearer_token (fatal under a url server) becomes the literal header it meant.
  const raw = e.raw as { bearer_token?: unknown };
  if (e.target.id === 'codex' && typeof raw.bearer_token === 'string' && !all.Authorization) all.Authorization = `Bearer ${raw.bearer_token}`;
  for (const [name, value] of Object.entries(all)) {
    const ref = /^(?:Bearer )?(?:\$\{(?:env:)?([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*))$/.exec(value);
    const bearerOk = name.toLowerCase() === 'authorization' ? value.startsWith('Bearer ') : !value.startsWith('Bearer ');
    if (ref && bearerOk) headerEnvs.push({ name, variable: ref[1] ?? ref[2] });
    else headers.push({ name, value });
  }
  return { name: e.name, url: e.read.url!, headers, headerEnvs };
}

export function needsFix(e: ScannedEntry): boolean {
  return fixable(e) && (Boolean(e.misplaced) || e.read.problems.length > 0);
}

export interface FixResult {
  reports: WriteReport[];
  fixed: Array<{ target: string; file: string; name: string; action: string }>;
}

/** One fix to one entry: what it becomes, and how to say what was done. */
interface Planned {
  e: ScannedEntry;
  kind: 'shape' | 'move' | 'bridge';
}

/**
 * The second (third, …) native entry for one URL in a client that keys logins by URL, when mcpwire holds
 * a login under its name: it can go through the bridge, on that login, without sharing the first's.
 */
async function collidingAccounts(ctx: Context, entries: readonly ScannedEntry[]): Promise<ScannedEntry[]> {
  const live = entries.filter((e) => e.target.doctor?.keysLoginsByUrl && e.read.kind === 'remote' && e.read.url && !e.shadowedBy && !e.misplaced);
  const later: ScannedEntry[] = [];
  for (const e of live) {
    const first = live.find((o) => o.target === e.target && sameUrl(o.read.url!, e.read.url!));
    if (first && first !== e && first.name !== e.name) later.push(e);
  }
  if (later.length === 0) return [];
  let store;
  try {
    store = await openCredentialStore({ platform: ctx.platform, announce: () => {} });
  } catch {
    return [];
  }
  const out: ScannedEntry[] = [];
  for (const e of later) {
    const rec = (await store.get(e.name)) as AuthRecord | undefined;
    if (rec && (currentTokens(rec) || storedApiKey(rec)) && (!rec.url || sameUrl(rec.url, e.read.url!))) out.push(e);
  }
  return out;
}

export async function applyFixes(ctx: Context, o: { names?: readonly string[]; targets?: readonly string[]; dryRun?: boolean }): Promise<FixResult> {
  const targets = o.targets?.length ? TARGETS.filter((t) => o.targets!.includes(t.id)) : TARGETS;
  const scan = scanClients(ctx.platform, ctx.targets, targets);
  const wanted = (e: ScannedEntry) => !o.names?.length || o.names.includes(e.name);
  const todo: Planned[] = scan.entries.filter((e) => needsFix(e) && wanted(e)).map((e) => ({ e, kind: e.misplaced ? 'move' : 'shape' }));
  for (const e of (await collidingAccounts(ctx, scan.entries)).filter(wanted)) if (!todo.some((x) => x.e === e)) todo.push({ e, kind: 'bridge' });
  const plans: PlannedWrite[] = todo.map(({ e, kind }) => ({
    target: e.target.id,
    scope: e.scope,
    file: e.file,
    sharedLock: e.target.sharedLock?.(e.file),
    privateFile: e.target.privateFile,
    edit: (current, note) => {
      const t = e.target;
      const right = t.container(e.scope, ctx.targets);
      if (kind === 'bridge') {
        // The bridge on mcpwire's login for this name: no headers of the native entry (they would win over the login).
        const bridge = claudeDesktop.render({ name: e.name, url: e.read.url!, headers: [], headerEnvs: [] }, ctx.targets);
        const r = addToText(t, current, e.file, right, e.name, { ...bridge, value: { type: 'stdio', ...bridge.value } }, true);
        note.action = r.action;
        return { text: r.text, secret: false };
      }
      const rendered = t.render(specOf(e), ctx.targets);
      if (kind === 'move' && current !== null) {
        // Out of the container the client never reads, into the one it reads (refused if that name is taken there).
        const editor = editorFor(t.format);
        const text = editor.remove(editor.parse(current, e.file), e.container, e.name, {}).text;
        const r = addToText(t, text, e.file, right, e.name, rendered, false);
        note.action = 'updated';
        return { text: r.text, secret: rendered.literalSecret };
      }
      const r = addToText(t, current, e.file, right, e.name, rendered, true);
      note.action = r.action;
      return { text: r.text, secret: rendered.literalSecret };
    },
  }));
  if (plans.length === 0) return { reports: [], fixed: [] };
  const result = await applyPlans({ platform: ctx.platform, state: ctx.state }, `doctor --fix`, plans, { dryRun: Boolean(o.dryRun) });
  const said = ({ e, kind }: Planned) =>
    kind === 'bridge'
      ? `moved onto the bridge (mcpwire proxy ${e.name}, on its own login): ${e.target.name} keys logins by URL`
      : kind === 'move'
        ? `moved into ${e.target.container(e.scope, ctx.targets).join('.')}`
        : `rewritten in ${e.target.name}'s shape`;
  const fixed = result.reports.map((r, i) => ({
    target: r.target,
    file: r.file,
    name: todo[i].e.name,
    action: r.action === 'updated' ? said(todo[i]) : r.action,
  }));
  return { reports: result.reports, fixed };
}

/** Refresh the expired, refreshable logins among `names` (all stored logins when none are given). */
export async function refreshExpired(ctx: Context, names: readonly string[] | undefined): Promise<FixResult['fixed']> {
  const p = ctx.platform;
  let store;
  try {
    store = await openCredentialStore({ platform: p, announce: () => {} });
  } catch {
    return []; // doctor's environment check says why
  }
  const out: FixResult['fixed'] = [];
  for (const name of names?.length ? names : await store.list()) {
    const rec = (await store.get(name)) as AuthRecord | undefined;
    const t = rec && currentTokens(rec);
    if (!t?.refresh_token || t.expiresAt === undefined || t.expiresAt > p.now()) continue;
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(p.execPath, [p.launcher, 'auth', 'token', name], {
        env: p.env as NodeJS.ProcessEnv,
        stdio: ['ignore', 'ignore', 'pipe'],
        timeout: 60_000,
      });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr = (stderr + String(d)).slice(-2000)));
      child.on('error', (e) => resolve({ code: null, stderr: e.message }));
      child.on('close', (code) => resolve({ code, stderr }));
    });
    out.push({
      target: 'mcpwire',
      file: store.location,
      name,
      action: r.code === 0 ? 'access token refreshed' : `refresh failed: ${r.stderr.trim().split('\n')[0] ?? 'no reason given'}`,
    });
  }
  return out;
}
