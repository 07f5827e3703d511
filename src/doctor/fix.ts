/**
 * `doctor --fix`: the fixes that are safe to apply without asking, all in one transaction journaled as
 * `doctor --fix` (so `mcpwire undo` puts every file back): an entry of the wrong shape is rendered again
 * in its client's shape (keeping the keys the user added), and an entry a client never reads (VS Code's
 * `mcpServers`) is moved where it reads. Entries whose URL is unknown are left for the user. An expired
 * login that can be refreshed is refreshed by `mcpwire auth token NAME` (the same code and lock as
 * every refresh; its output, the token, goes nowhere); a refresh cannot be undone, nor needs to be.
 */
import { spawn } from 'node:child_process';
import type { AuthRecord } from '../auth/provider.js';
import { currentTokens } from '../auth/record.js';
import { openCredentialStore } from '../auth/store/index.js';
import { addToText } from '../entries.js';
import { editorFor } from '../edit/document.js';
import { applyPlans, type PlannedWrite, type WriteReport } from '../files/apply.js';
import type { Context } from '../commands/context.js';
import type { ServerSpec } from '../targets/types.js';
import { fixable, scanClients, type ScannedEntry } from './clients.js';
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

export async function applyFixes(ctx: Context, o: { names?: readonly string[]; targets?: readonly string[]; dryRun?: boolean }): Promise<FixResult> {
  const targets = o.targets?.length ? TARGETS.filter((t) => o.targets!.includes(t.id)) : TARGETS;
  const scan = scanClients(ctx.platform, ctx.targets, targets);
  const todo = scan.entries.filter((e) => needsFix(e) && (!o.names?.length || o.names.includes(e.name)));
  const plans: PlannedWrite[] = todo.map((e) => ({
    target: e.target.id,
    scope: e.scope,
    file: e.file,
    sharedLock: e.target.sharedLock?.(e.file),
    privateFile: e.target.privateFile,
    edit: (current, note) => {
      const t = e.target;
      const rendered = t.render(specOf(e), ctx.targets);
      const right = t.container(e.scope, ctx.targets);
      let text = current;
      if (e.misplaced && text !== null) {
        // Out of the container the client never reads, into the one it reads (refused if that name is taken there).
        const editor = editorFor(t.format);
        text = editor.remove(editor.parse(text, e.file), e.container, e.name, {}).text;
        const r = addToText(t, text, e.file, right, e.name, rendered, false);
        note.action = 'updated';
        return { text: r.text, secret: rendered.literalSecret };
      }
      const r = addToText(t, text, e.file, right, e.name, rendered, true);
      note.action = r.action;
      return { text: r.text, secret: rendered.literalSecret };
    },
  }));
  if (plans.length === 0) return { reports: [], fixed: [] };
  const result = await applyPlans({ platform: ctx.platform, state: ctx.state }, `doctor --fix`, plans, { dryRun: Boolean(o.dryRun) });
  const fixed = result.reports.map((r, i) => ({
    target: r.target,
    file: r.file,
    name: todo[i].name,
    action:
      r.action === 'updated'
        ? todo[i].misplaced
          ? `moved into ${todo[i].target.container(todo[i].scope, ctx.targets).join('.')}`
          : `rewritten in ${todo[i].target.name}'s shape`
        : r.action,
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
