/**
 * The listing service: every remote (or bridged) server entry in every supported client file, all
 * scopes, as values. Commands render them (`mcp list`) or act on them (`mcp remove`); nothing is printed here.
 */
import { UserError } from './errors.js';
import { editorFor, editsBinary } from './edit/document.js';
import { readTextAs, resolveReal } from './files/io.js';
import type { ReadEntry, Scope, Target, TargetContext } from './targets/types.js';
import type { Platform } from './platform.js';

export interface ListedEntry {
  target: string;
  scope: Scope;
  file: string;
  name: string;
  url?: string;
  kind: ReadEntry['kind'];
  headers?: string[];
  problems: string[];
  /** The same name in a scope the client prefers: this one is not used. */
  shadowedBy?: Scope;
}

export interface UnreadableFile {
  target: string;
  scope: Scope;
  file: string;
  error: string;
}

/** Claude Code: local > project > user. Others: project > user. */
const PRECEDENCE: Record<Scope, number> = { user: 0, project: 1, local: 2 };

export function listEntries(
  ctx: { platform: Platform; targets: TargetContext },
  targets: readonly Target[],
): { entries: ListedEntry[]; errors: UnreadableFile[] } {
  const entries: ListedEntry[] = [];
  const errors: UnreadableFile[] = [];
  for (const t of targets) {
    const found: ListedEntry[] = [];
    const seen = new Set<string>();
    // A file that cannot be read is reported once, though several scopes live in it (Claude Code's user
    // and local scopes are both in ~/.claude.json).
    const unreadable = new Set<string>();
    for (const scope of t.scopes) {
      const file = t.file(scope, ctx.targets);
      // In the home folder a project file can be the user file itself: read it once, as user.
      const key = file + '\0' + t.container(scope, ctx.targets).join('\0');
      if (seen.has(key) || unreadable.has(file)) continue;
      seen.add(key);
      let inFile: Readonly<Record<string, unknown>>;
      let twice: string[];
      try {
        const binary = editsBinary(t.format);
        const text = readTextAs(ctx.platform, resolveReal(ctx.platform, file), binary);
        if (text === null) continue;
        const editor = editorFor(t.format);
        const doc = editor.parse(text, file, { binary });
        inFile = editor.entries(doc, t.container(scope, ctx.targets));
        twice = editor.duplicates(doc, t.container(scope, ctx.targets));
      } catch (e) {
        unreadable.add(file);
        errors.push({ target: t.id, scope, file, error: e instanceof UserError ? e.message : String((e as Error).message) });
        continue;
      }
      for (const [name, raw] of Object.entries(inFile)) {
        const e = t.read(name, raw);
        if (e.kind !== 'remote' && e.kind !== 'bridge') continue;
        if (twice.includes(name)) e.problems.push(`"${name}" is defined more than once in this file: the client uses the last one`);
        found.push({
          target: t.id,
          scope,
          file,
          name,
          url: e.url,
          kind: e.kind,
          headers: e.headers ? Object.keys(e.headers) : undefined,
          problems: e.problems,
        });
      }
    }
    for (const e of found) {
      const winner = found
        .filter((o) => o.name === e.name && PRECEDENCE[o.scope] > PRECEDENCE[e.scope])
        .sort((a, b) => PRECEDENCE[b.scope] - PRECEDENCE[a.scope])[0];
      if (winner) e.shadowedBy = winner.scope;
    }
    entries.push(...found);
  }
  return { entries, errors };
}
