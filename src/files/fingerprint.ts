/**
 * Fingerprints: whether a file changed since mcpwire wrote it (for undo), and lock-file names for paths.
 *
 * File contents (v5): two CRC-32s, one over the bytes in order and one over them in reverse order,
 * computed by zlib (the crc32 of node:zlib, Node 20.15+): ~0.1 ms per 256 KiB, and no set-up. The
 * second is not a function of the first (a CRC-32 of the same bytes with another initial value would
 * be): a change goes unseen only if both polynomials divide it. Not a cryptographic hash, and it need
 * not be: it tells whether a file is still the one mcpwire wrote (anyone able to write the file could
 * write anything in it). zlib's crc32 is reached through its binding: loading node:zlib loads the
 * streams first (5-7 ms, measured on Node 20 and 24), a tenth of a whole `mcp add`; where the binding
 * is refused (a permission model, a release without it) node:zlib is loaded. v4 ran as a WebAssembly
 * module, whose set-up alone (the engine's first module, instance and call) cost ~2.5 ms of every
 * write command: measured A/B, `mcp add --target all` ran 0.08x of `node -e 0` faster with v5, 7 ms
 * less CPU. Journal entries written with earlier fingerprints (v4: hash64x2.wat; v3: SHA-256; v2 and
 * text: 53-bit JS hashes) still compare.
 */
import { HASH_WASM } from './hash-wasm.js';

/** A fast 53-bit hash of a text, by UTF-16 code unit, with its length: lock names, and journal entries written before v2. */
export function fingerprint(text: string | null): string | null {
  if (text === null) return null;
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  return `${text.length}:${finish(h1, h2)}`;
}

function finish(h1: number, h2: number): string {
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16);
}

/** Of the bytes of a file, given whole or in consecutive parts: `v5:<bytes>:<16 hex digits>`. null: no file. */
export function fingerprintBytes(bytes: Uint8Array | readonly Uint8Array[] | null): string | null {
  if (bytes === null) return null;
  const parts = bytes instanceof Uint8Array ? [bytes] : bytes;
  return `v5:${parts.reduce((n, b) => n + b.length, 0)}:${crc32Pair(parts)}`;
}

/** zlib's crc32 (data, running value) → the new value (an unsigned 32-bit integer). */
export type Crc32 = (data: Uint8Array, value: number) => number;
let zlibCrc32: Crc32 | undefined;

function loadCrc32(): Crc32 {
  const quiet = process.noDeprecation;
  process.noDeprecation = true; // process.binding is deprecated (DEP0111): nothing may be printed for it
  try {
    const crc32 = (process as unknown as { binding: (name: string) => { crc32?: unknown } }).binding('zlib').crc32;
    if (typeof crc32 === 'function') return crc32 as Crc32;
  } catch {
    // refused (the permission model) or gone: the module's own
  } finally {
    process.noDeprecation = quiet;
  }
  return process.getBuiltinModule('node:zlib').crc32;
}

/** Bytes reversed per step, in one buffer kept for the process (fresh pages cost more than the work here). */
const REVERSED_CHUNK = 65536;
let reversed: Buffer | undefined;

/** The v5 hash of the bytes `parts` hold one after the other: 16 hex digits. Exported for its tests (`crc32`: another implementation). */
export function crc32Pair(parts: readonly Uint8Array[], crc32: Crc32 = (zlibCrc32 ??= loadCrc32())): string {
  let forward = 0;
  for (const b of parts) forward = crc32(b, forward);
  reversed ??= Buffer.allocUnsafeSlow(REVERSED_CHUNK);
  let backward = 0;
  for (let k = parts.length - 1; k >= 0; k--) {
    const b = parts[k];
    for (let end = b.length; end > 0; end -= REVERSED_CHUNK) {
      const start = Math.max(0, end - REVERSED_CHUNK);
      const chunk = reversed.subarray(0, end - start);
      chunk.set(b.subarray(start, end));
      backward = crc32(chunk.reverse(), backward);
    }
  }
  return (forward >>> 0).toString(16).padStart(8, '0') + (backward >>> 0).toString(16).padStart(8, '0');
}

/** v4: `v4:<bytes>:<32 hex digits>` (journal entries written before v5). */
export function fingerprintBytesV4(bytes: Uint8Array | null): string | null {
  if (bytes === null) return null;
  return `v4:${bytes.length}:${hash64x2(bytes)}`;
}

interface HashModule {
  memory: WebAssembly.Memory;
  reset(): void;
  update(n: number): void;
  digest1(len: bigint): bigint;
  digest2(len: bigint): bigint;
}

/** Bytes hashed per update: the module's memory (one page). Small on purpose: the same few pages are touched again and again (copying 256 KiB into fresh pages cost 1.3 ms of page faults, measured). */
const CHUNK = 65536;
let hashModule: HashModule | null | undefined;

function loadHashModule(): HashModule | null {
  if (typeof WebAssembly !== 'object') return null;
  try {
    return new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(HASH_WASM, 'base64'))).exports as unknown as HashModule;
  } catch {
    return null; // WebAssembly present but unusable (a restricted engine): the same hash in JavaScript
  }
}

const hex64 = (x: bigint) => BigInt.asUintN(64, x).toString(16).padStart(16, '0');

/** The v4 hash of `bytes`: 32 hex digits (journal entries written before v5). */
export function hash64x2(bytes: Uint8Array, engine: 'auto' | 'js' = 'auto'): string {
  const m = engine === 'js' ? null : (hashModule ??= loadHashModule());
  if (m === null) return hash64x2Js(bytes);
  m.reset();
  let off = 0;
  do {
    const n = Math.min(CHUNK, bytes.length - off);
    new Uint8Array(m.memory.buffer, 0, n).set(bytes.subarray(off, off + n));
    m.update(n);
    off += n;
  } while (off < bytes.length);
  const len = BigInt(bytes.length);
  return hex64(m.digest1(len)) + hex64(m.digest2(len));
}

const M64 = (1n << 64n) - 1n;
const P1 = 0x9e3779b185ebca87n;
const P2 = 0xc2b2ae3d27d4eb4fn;
const P3 = 0x165667b19e3779f9n;
const P4 = 0x85ebca77c2b2ae63n;
const rotl = (x: bigint, r: bigint) => ((x << r) | (x >> (64n - r))) & M64;
function fmix(x: bigint): bigint {
  x ^= x >> 33n;
  x = (x * 0xff51afd7ed558ccdn) & M64;
  x ^= x >> 33n;
  x = (x * 0xc4ceb9fe1a85ec53n) & M64;
  return x ^ (x >> 33n);
}

/** hash64x2.wat, line by line, in BigInt arithmetic. */
function hash64x2Js(bytes: Uint8Array): string {
  let h1 = 0x9e3779b97f4a7c15n;
  let h2 = 0x632be59bd9b4e019n;
  const mix = (w: bigint) => {
    h1 = (rotl((h1 + w * P2) & M64, 31n) * P1) & M64;
    h2 = (rotl(h2 ^ ((w * P3) & M64), 27n) * P1 + P4) & M64;
  };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const end = bytes.length & ~7;
  for (let i = 0; i < end; i += 8) mix(view.getBigUint64(i, true));
  if (end < bytes.length) {
    let w = 0n;
    for (let k = bytes.length - 1; k >= end; k--) w = (w << 8n) | BigInt(bytes[k]);
    mix(w);
  }
  const len = BigInt(bytes.length);
  return hex64(fmix(h1 ^ len)) + hex64(fmix((h2 + len) & M64));
}

/** Journal entries written by v3: SHA-256 (node:crypto, loaded only to compare one of them). */
export function fingerprintBytesV3(bytes: Uint8Array | null): string | null {
  if (bytes === null) return null;
  const { createHash } = process.getBuiltinModule('node:crypto');
  return `v3:${bytes.length}:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** Journal entries written by v2: the bytes four at a time, 53 bits (`v2:<bytes>:<hash>`). */
export function fingerprintBytesV2(bytes: Uint8Array | null): string | null {
  if (bytes === null) return null;
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  const words = bytes.length >>> 2;
  // An aligned copy is cheaper than reading byte by byte when the buffer sits at an odd offset.
  const aligned = bytes.byteOffset % 4 === 0 ? bytes : Uint8Array.prototype.slice.call(bytes, 0, words * 4);
  const view = new Int32Array(aligned.buffer, aligned.byteOffset, words);
  for (let i = 0; i < words; i++) {
    const c = view[i];
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  for (let i = words * 4; i < bytes.length; i++) {
    const c = bytes[i];
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  return `v2:${bytes.length}:${finish(h1, h2)}`;
}

/** The fingerprint of `bytes` in the same version as `recorded` (journal entries of older versions hash text). */
export function sameFingerprint(recorded: string | null, bytes: Uint8Array | null): boolean {
  if (recorded === null || bytes === null) return recorded === bytes;
  if (recorded.startsWith('v5:')) return fingerprintBytes(bytes) === recorded;
  if (recorded.startsWith('v4:')) return fingerprintBytesV4(bytes) === recorded;
  if (recorded.startsWith('v3:')) return fingerprintBytesV3(bytes) === recorded;
  if (recorded.startsWith('v2:')) return fingerprintBytesV2(bytes) === recorded;
  return fingerprint(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8')) === recorded;
}
