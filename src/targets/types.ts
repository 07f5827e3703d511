import type { Format, JsonObject } from '../edit/types.js';
import type { Platform } from '../platform.js';
import type { TargetId } from './ids.js';

export type Scope = 'user' | 'project' | 'local';
export const SCOPES: readonly Scope[] = ['user', 'project', 'local'];

export type { Format };

/** What the user asked to connect, independent of any client. */
export interface ServerSpec {
  name: string;
  url: string;
  /** `--header "K: V"`: written literally. */
  headers: Array<{ name: string; value: string }>;
  /** `--header-env "K=VAR"`: the value comes from environment variable VAR, in each client's syntax. */
  headerEnvs: Array<{ name: string; variable: string }>;
  /** The URL's query carries a credential (this parameter, e.g. `token`): the URL is a literal secret. */
  secretInUrl?: string;
}

export interface RenderedEntry {
  /** The entry, exactly as the client expects it. */
  value: JsonObject;
  /** VS Code: `inputs` the entry references (`${input:ID}`), added beside it. */
  inputs?: JsonObject[];
  /** The entry holds a literal secret (a header value, a credential in the URL): the file becomes 0600 and the command warns. */
  literalSecret: boolean;
  warnings: string[];
}

/** An entry read back from a client file, whoever wrote it. */
export interface ReadEntry {
  name: string;
  /** remote: the client talks HTTP itself; bridge: a stdio command that reaches a URL; stdio: a local server. */
  kind: 'remote' | 'bridge' | 'stdio' | 'unknown';
  url?: string;
  /** Header names, with values (env references shown as the client writes them). */
  headers?: Record<string, string>;
  /** What makes this entry wrong for this client (empty when fine). */
  problems: string[];
}

export interface TargetContext {
  platform: Platform;
  /** Project root (git root or cwd) for project and local scopes. */
  projectRoot: string;
}

export interface Target {
  id: TargetId;
  name: string;
  /** Scopes this client reads, in order of precedence from lowest to highest. */
  scopes: readonly Scope[];
  format: Format;
  /**
   * The client is installed here: its binary on PATH, its app folder, or its config folder holding
   * more than the file mcpwire writes (a folder mcpwire created is no sign of the client).
   */
  detect(ctx: TargetContext): boolean;
  /** Absolute path of the file that holds servers for a scope. */
  file(scope: Scope, ctx: TargetContext): string;
  /** Object path of the servers container inside the file. */
  container(scope: Scope, ctx: TargetContext): string[];
  /** The client keeps this file private: a file mcpwire creates for it is 0600 (`~/.claude.json`, Codex's config). */
  privateFile?: boolean;
  /** The lock another writer of this file takes (Claude Code's `~/.claude.json.lock`), if any. */
  sharedLock?(file: string): string;
  render(spec: ServerSpec, ctx: TargetContext): RenderedEntry;
  read(name: string, raw: unknown): ReadEntry;
  /** Keys that decide how the client reaches the server; any other key is the user's (kept on update). */
  transportKeys: readonly string[];
  /** What the client will ask the user after a write to this scope (e.g. approving project servers). */
  scopeNote?(scope: Scope): string | undefined;
  /** What `mcpwire doctor` knows of this client beyond its entries' shapes. */
  doctor?: DoctorKnowledge;
}

export interface DoctorKnowledge {
  /** Containers where servers are put by mistake and this client never reads them (VS Code's `mcpServers`). */
  misplaced?: ReadonlyArray<readonly string[]>;
  /** A GUI app: started from a dock or menu, it does not see variables set in the shell profile. */
  gui?: boolean;
  /** Logins (or entries) are keyed by URL: two accounts of one server need the bridge for the second. */
  keysLoginsByUrl?: boolean;
  /** Configured headers are ignored once the server advertises OAuth discovery. */
  ignoresHeadersWithOAuth?: boolean;
  /** What a parse error of its file costs, beyond the servers in it. */
  parseErrorCost?: string;
  /**
   * Whether the user already answered the client's question about a project-scope server: `read` gives
   * a file's parsed content (undefined: absent or unreadable). Undefined: not known, the client will ask.
   */
  projectApproval?(ctx: TargetContext, name: string, read: (file: string, format: Format) => unknown): ProjectApproval | undefined;
}

export interface ProjectApproval {
  state: 'approved' | 'declined';
  /** Where the answer is kept (for the message and the fix). */
  file: string;
  /** How to take a refusal back. */
  fix?: string;
}
