/** The file layer's pure parts: masking secrets for diffs, byte fingerprints. */
import zlib from 'node:zlib';
import { describe, expect, test, vi } from 'vitest';
import { maskSecrets, maskValue } from '../../src/files/mask.js';
import {
  crc32Pair,
  fingerprint,
  fingerprintBytes,
  fingerprintBytesV2,
  fingerprintBytesV3,
  fingerprintBytesV4,
  hash64x2,
  sameFingerprint,
} from '../../src/files/fingerprint.js';
import { fileDiff } from '../../src/files/diff.js';

describe('maskSecrets', () => {
  test('JSON/JSONC: header values and env values, wherever they are; names, URLs and references stay', () => {
    const text = `// c "headers": { "x": "not in a comment" }
{
  "mcpServers": {
    "a": { "url": "https://a.example/", "headers": { "Authorization": "Bearer s1", "X-Ref": "\${env:TOKEN}" } },
    "b": { "command": "node", "args": ["x.js", "--header", "X-Key: s2"], "env": { "API_KEY": "s3", "N": "s4" } },
    "c": { "url": "https://c.example/?api_key=s5&x=1", "token": "s6", "bearer_token_env_var": "MY_VAR" },
    /* "headers": "s7"? */ "d": ["plain", { "headers": [{ "v": "s8" }] }],
    "e": { "headers": { "Escaped\\"Name": "s9\\"more" } }
  }
}`;
    const out = maskSecrets(text, 'json');
    for (const s of ['s1', 's2', 's3', 's4', 's5', 's6', 's8', 's9']) expect(out, s).not.toMatch(new RegExp(`\\b${s}\\b`));
    expect(out).toContain('"Authorization": "Bearer ****"');
    expect(out).toContain('"X-Ref": "${env:TOKEN}"');
    expect(out).toContain('"X-Key: ****"');
    expect(out).toContain('"MY_VAR"');
    expect(out).toContain('https://c.example/?api_key=****&x=1');
    expect(out).toContain('"plain"');
    expect(out).toContain('// c "headers": { "x": "not in a comment" }'); // comments are not values
    expect(out.split('\n').length).toBe(text.split('\n').length);
  });

  test('TOML: http_headers and env_http_headers (inline and as tables), env, bearer_token', () => {
    const text = `model = "gpt-5"
[mcp_servers.a]
url = "https://a.example/"
http_headers = { "Authorization" = "Bearer t1", X-Other = 't2' }
bearer_token = "t3"
bearer_token_env_var = "KEEP_VAR"

[mcp_servers.b.env_http_headers]
X-Key = "t4"

[mcp_servers.c]
command = "x"
env = { TOKEN = "t5" }
args = ["--header", "Authorization: Bearer t6"]
`;
    const out = maskSecrets(text, 'toml');
    for (const s of ['t1', 't2', 't3', 't4', 't5']) expect(out, s).not.toMatch(new RegExp(`\\b${s}\\b`));
    expect(out).toContain('http_headers = { "Authorization" = "Bearer ****", X-Other = \'****\' }');
    expect(out).toContain('bearer_token_env_var = "KEEP_VAR"');
    expect(out).toContain('model = "gpt-5"');
    expect(out).toContain('url = "https://a.example/"');
  });

  test('maskValue keeps references and the auth scheme', () => {
    expect(maskValue('${input:x}')).toBe('${input:x}');
    expect(maskValue('Bearer ${X}')).toBe('Bearer ${X}');
    expect(maskValue('Bearer abc')).toBe('Bearer ****');
    expect(maskValue('abc ${X}')).toBe('****');
  });
});

describe('fingerprints', () => {
  test('bytes: differ on any change, equal on equal bytes at any buffer offset', () => {
    const a = Buffer.from('{"a": "ü 日本 🚀"}\n'.repeat(100));
    const b = Buffer.from(a);
    b[b.length - 7] ^= 1;
    expect(fingerprintBytes(a)).not.toBe(fingerprintBytes(b));
    const shifted = Buffer.concat([Buffer.from('x'), a]).subarray(1);
    expect(fingerprintBytes(shifted)).toBe(fingerprintBytes(a));
    expect(fingerprintBytes(null)).toBeNull();
  });

  test('journal entries written before v2 (text fingerprints) still compare', () => {
    const text = 'ü and text';
    expect(sameFingerprint(fingerprint(text), Buffer.from(text))).toBe(true);
    expect(sameFingerprint(fingerprintBytes(Buffer.from(text)), Buffer.from(text))).toBe(true);
    expect(sameFingerprint(fingerprint(text), Buffer.from(text + '!'))).toBe(false);
    expect(sameFingerprint(null, null)).toBe(true);
    expect(sameFingerprint(null, Buffer.from(''))).toBe(false);
  });
});

describe('dry-run hunks', () => {
  // Fixed: a new file's hunk said `@@ -1,0 +1,3 @@`; diff(1) and patch(1) write an empty side as line 0.
  test('a new file, a deleted file and a change are headed as diff(1) heads them', () => {
    expect(fileDiff('a.json', null, '{\n  "a": 1\n}\n').hunks[0].header).toBe('@@ -0,0 +1,3 @@');
    expect(fileDiff('a.json', '{\n  "a": 1\n}\n', null).hunks[0].header).toBe('@@ -1,3 +0,0 @@');
    expect(fileDiff('a.json', '{\n  "a": 1\n}\n', '{\n  "a": 2\n}\n').hunks[0].header).toBe('@@ -1,3 +1,3 @@');
  });
});

describe('fingerprint versions', () => {
  const text = '{\n  "mcpServers": {}\n}\n';
  test('v5: CRC-32 of the bytes and of the bytes reversed, at every length and chunk edge, whole or in parts', () => {
    const rnd = prngBytes(5);
    // The standard check value of CRC-32 (ISO-HDLC, as zlib computes it).
    expect(crc32Pair([Buffer.from('123456789')]).slice(0, 8)).toBe('cbf43926');
    expect(crc32Pair([Buffer.from('987654321')]).slice(8)).toBe('cbf43926'); // the second lane reads backwards
    const lengths = [0, 1, 2, 7, 1000, 65536 - 1, 65536, 65536 + 1, 2 * 65536 + 8, 300_000];
    for (const n of lengths) {
      const bytes = rnd(n);
      const want = referenceCrc32(bytes).toString(16).padStart(8, '0') + referenceCrc32(Buffer.from(bytes).reverse()).toString(16).padStart(8, '0');
      expect(crc32Pair([bytes]), `length ${n}`).toBe(want);
      expect(fingerprintBytes(bytes), `length ${n}`).toBe(`v5:${n}:${want}`);
      // the same bytes in parts (a splice: before, inserted, after), and at an odd offset in a larger buffer
      const a = Math.floor(n / 3);
      const b = Math.floor((2 * n) / 3);
      expect(fingerprintBytes([bytes.subarray(0, a), bytes.subarray(a, b), bytes.subarray(b)]), `length ${n}, in parts`).toBe(`v5:${n}:${want}`);
      expect(fingerprintBytes(Buffer.concat([Buffer.from('xyz'), bytes]).subarray(3)), `length ${n}, shifted`).toBe(`v5:${n}:${want}`);
      // node:zlib's crc32 (where the binding is refused) computes the same
      expect(crc32Pair([bytes], zlib.crc32), `length ${n}, node:zlib`).toBe(want);
    }
  });
  test('v5: where process.binding is refused (a permission model, a release without it), node:zlib computes it', async () => {
    const bytes = prngBytes(3)(70_000);
    const want = fingerprintBytes(bytes);
    const proc = process as unknown as { binding: unknown };
    const binding = proc.binding;
    proc.binding = () => {
      throw Object.assign(new Error('Access to this API has been restricted'), { code: 'ERR_ACCESS_DENIED' });
    };
    try {
      vi.resetModules();
      const fresh = await import('../../src/files/fingerprint.js');
      expect(fresh.fingerprintBytes(bytes)).toBe(want);
    } finally {
      proc.binding = binding;
    }
  });
  test('v5: one bit flipped anywhere changes both lanes; a byte appended changes the length', () => {
    const base = prngBytes(13)(70_000);
    const h = crc32Pair([base]);
    for (const at of [0, 1, 7, 8, 4471, 65535, 65536, 69_999]) {
      const b = Buffer.from(base);
      b[at] ^= 0x01;
      const g = crc32Pair([b]);
      expect(g.slice(0, 8), `bit at ${at}`).not.toBe(h.slice(0, 8));
      expect(g.slice(8), `bit at ${at}`).not.toBe(h.slice(8));
    }
    expect(fingerprintBytes(Buffer.concat([base, Buffer.alloc(1)]))).not.toBe(fingerprintBytes(base));
    expect(sameFingerprint(fingerprintBytes(base), base)).toBe(true);
    expect(sameFingerprint(fingerprintBytes(base), Buffer.concat([base, Buffer.alloc(1)]))).toBe(false);
  });
  test('v4: the WebAssembly module computes what its JavaScript twin computes, at every length and chunk edge', () => {
    const rnd = prngBytes(7);
    const lengths = [0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 1000, 4096 + 3, 65536 - 1, 65536, 65536 + 1, 65536 + 13, 2 * 65536 + 8];
    for (const n of lengths) {
      const bytes = rnd(n);
      const wasm = hash64x2(bytes);
      expect(wasm, `length ${n}`).toMatch(/^[0-9a-f]{32}$/);
      expect(wasm, `length ${n}`).toBe(hash64x2(bytes, 'js'));
      // at an odd offset inside a larger buffer: the same
      const shifted = Buffer.concat([Buffer.from('xyz'), bytes]).subarray(3);
      expect(hash64x2(shifted), `length ${n}, shifted`).toBe(wasm);
    }
    // Fixed values: a change of the .wat, the bytes or the JS twin that changes the hash fails here
    // (journal entries written with v4 must keep comparing).
    expect(fingerprintBytesV4(Buffer.from(text))).toBe(`v4:23:${hash64x2(Buffer.from(text), 'js')}`);
    expect(hash64x2(Buffer.alloc(0))).toBe(V4_EMPTY);
    expect(hash64x2(Buffer.from(text))).toBe(V4_TEXT);
    // journal entries written with v4 still compare
    expect(sameFingerprint(`v4:23:${V4_TEXT}`, Buffer.from(text))).toBe(true);
    expect(sameFingerprint(`v4:23:${V4_TEXT}`, Buffer.from(text.replace('{}', '[]')))).toBe(false);
  });
  test('v4: one bit flipped anywhere changes both lanes', () => {
    const base = prngBytes(11)(3000);
    const h = hash64x2(base);
    for (const at of [0, 1, 7, 8, 1500, 2991, 2999]) {
      const b = Buffer.from(base);
      b[at] ^= 0x10;
      const g = hash64x2(b);
      expect(g.slice(0, 16)).not.toBe(h.slice(0, 16));
      expect(g.slice(16)).not.toBe(h.slice(16));
    }
    // a zero byte appended differs from none (the length is hashed in)
    expect(hash64x2(Buffer.concat([base, Buffer.alloc(1)]))).not.toBe(h);
  });
  test('journal entries written with v3 (SHA-256) still compare', () => {
    expect(fingerprintBytesV3(Buffer.from(text))).toBe('v3:23:d8e397af03b5b032f21d0aa967086f0c78b33c87b76f2e9898ae0a144df7de02');
    expect(sameFingerprint('v3:23:d8e397af03b5b032f21d0aa967086f0c78b33c87b76f2e9898ae0a144df7de02', Buffer.from(text))).toBe(true);
    expect(sameFingerprint('v3:23:d8e397af03b5b032f21d0aa967086f0c78b33c87b76f2e9898ae0a144df7de02', Buffer.from(text + ' '))).toBe(false);
  });
  test('journal entries written with v2 still compare (the v2 hash is unchanged)', () => {
    expect(fingerprintBytesV2(Buffer.from(text))).toBe('v2:23:15c02afcb5a72e');
    expect(sameFingerprint('v2:23:15c02afcb5a72e', Buffer.from(text))).toBe(true);
    expect(sameFingerprint('v2:23:15c02afcb5a72e', Buffer.from(text.replace('{}', '[]')))).toBe(false);
  });
});

/** CRC-32 (ISO-HDLC, reflected 0xEDB88320) bit by bit: an implementation of its own, to check zlib's against. */
function referenceCrc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of bytes) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

/** Deterministic bytes (xorshift32). */
function prngBytes(seed: number): (n: number) => Buffer {
  let x = seed;
  return (n) => {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      b[i] = x & 0xff;
    }
    return b;
  };
}

const V4_EMPTY = '9ca066f1a4ab2eea155105a0563a073c';
const V4_TEXT = '8c40961a53057bea838dadef1e1bc815';
