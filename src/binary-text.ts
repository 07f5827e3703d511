/**
 * A file's UTF-8 bytes held one per character (latin1): how mcpwire reads and edits strict JSON (a
 * `~/.claude.json` of hundreds of KB). Decoding UTF-8 into a JavaScript string, and encoding it back to
 * write, cost a real share of an edit: the decoded text of a file with any character beyond Latin-1 takes
 * two bytes per character, and each fresh page of it is a page fault. In its bytes, JSON keeps its
 * meaning: every byte of a multi-byte UTF-8 character is ≥ 0x80, so brackets, quotes, backslashes and
 * white space are found at the same places, and `JSON.parse` accepts the bytes exactly when it accepts the
 * decoded text (for bytes that are valid UTF-8, which the reader checks first). What differs is the
 * strings themselves: a key or value with a non-ASCII character must be decoded before it is compared or
 * returned, and text inserted must be encoded first. Positions are bytes, so a line:column for the user
 * is counted on the decoded line.
 */

import { lineColumn } from './errors.js';

/** The UTF-8 byte order mark, as it reads in binary text. */
export const BINARY_BOM = '\xEF\xBB\xBF';

const NON_ASCII = /[^\x00-\x7f]/;

/** Whether a string holds anything beyond ASCII (where binary text and decoded text differ). */
export function hasNonAscii(s: string): boolean {
  return NON_ASCII.test(s);
}

/** Decoded text → binary text (its UTF-8 bytes, one per character). ASCII is the same in both. */
export function toBinary(text: string): string {
  return NON_ASCII.test(text) ? Buffer.from(text, 'utf8').toString('latin1') : text;
}

/** Binary text → decoded text. */
export function fromBinary(binary: string): string {
  return NON_ASCII.test(binary) ? Buffer.from(binary, 'latin1').toString('utf8') : binary;
}

/** The bytes of a file, as binary text. */
export function bytesAsBinary(buf: Buffer): string {
  return buf.toString('latin1');
}

/** 1-based line and column of a byte offset into binary text, the column counted in decoded characters. */
export function binaryLineColumn(binary: string, offset: number): { line: number; column: number } {
  const { line, column } = lineColumn(binary, offset);
  return { line, column: fromBinary(binary.slice(offset - column + 1, offset)).length + 1 };
}
