/**
 * Splices of JSON/JSONC text: where a new child goes and in what layout, and the exact bytes a removal
 * takes. Every inserted byte follows the document's own style (indent unit, line ending), and
 * removal is the exact inverse of insertion, so add∘remove is the identity.
 *
 * The splices are computed here rather than by jsonc-parser's `modify`, because `modify` with
 * formatting options re-formats the neighbouring lines (it normalises `"a":1` to `"a": 1` and
 * re-indents the previous entry) and its removal deletes the comments between two properties: bytes
 * that are not ours.
 */
import { applyEdits, createScanner, SyntaxKind, type Node } from 'jsonc-parser';
import type { DocStyle, Json } from '../types.js';

/** One replacement of [offset, offset + length) by content. */
export interface Splice {
  offset: number;
  length: number;
  content: string;
}

/** Apply non-overlapping splices (jsonc-parser's applyEdits: its order for splices at one offset). */
export function applySplices(text: string, splices: readonly Splice[]): string {
  return applyEdits(text, [...splices]);
}

export function detectStyle(text: string, bom: boolean): DocStyle {
  const nl = text.indexOf('\n');
  const eol = nl > 0 && text[nl - 1] === '\r' ? '\r\n' : '\n';
  let indent = '  ';
  const m = /\n([ \t]+)\S/.exec(text);
  if (m) {
    let ws = m[1];
    // When the first line is indented too (an indented root `{`), the unit is the difference.
    const first = /^([ \t]*)\S/.exec(text);
    if (first && first[1] !== '' && text.slice(nl, m.index).trim() === '' && ws.startsWith(first[1]) && ws.length > first[1].length) {
      ws = ws.slice(first[1].length);
    }
    indent = ws.startsWith('\t') ? '\t' : ' '.repeat(Math.min(ws.length, 8));
  }
  return { eol, indent, bom };
}

/** Indentation (leading white space) of the line that contains offset. */
export function lineIndent(text: string, offset: number): string {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  const m = /^[ \t]*/.exec(text.slice(start, Math.min(offset, start + 200)));
  return m ? m[0] : '';
}

function sameLine(text: string, a: number, b: number): boolean {
  return text.slice(Math.min(a, b), Math.max(a, b)).indexOf('\n') === -1;
}

export function render(value: Json, baseIndent: string, style: DocStyle, inline: boolean): string {
  if (inline) return JSON.stringify(value);
  return JSON.stringify(value, null, style.indent)
    .split('\n')
    .join(style.eol + baseIndent);
}

/** Insert `item` (a property `"k": v` or an array element) as the last child of container. */
export function appendChild(
  text: string,
  container: Node,
  children: readonly Node[],
  item: (indent: string, inline: boolean) => string,
  style: DocStyle,
): Splice[] {
  const open = container.offset;
  const close = container.offset + container.length - 1;
  if (children.length > 0) {
    const last = children[children.length - 1];
    const lastEnd = last.offset + last.length;
    const inline = sameLine(text, open, last.offset);
    const indent = lineIndent(text, last.offset);
    if (inline) return [{ offset: lastEnd, length: 0, content: ', ' + item(indent, true) }];
    // `"a": 1 // about a`: the comment stays with the child it describes; the new one goes on the next line
    // (with a trailing comma of its own when the last child had one: the file's style).
    const comment = trailingComment(text, lastEnd, close);
    if (comment?.comma) return [{ offset: comment.end, length: 0, content: style.eol + indent + item(indent, false) + ',' }];
    if (comment) {
      return [
        { offset: lastEnd, length: 0, content: ',' },
        { offset: comment.end, length: 0, content: style.eol + indent + item(indent, false) },
      ];
    }
    return [{ offset: lastEnd, length: 0, content: ',' + style.eol + indent + item(indent, false) }];
  }
  const closeIndent = lineIndent(text, open);
  const indent = closeIndent + style.indent;
  const inner = text.slice(open + 1, close);
  const nl = inner.indexOf('\n');
  if (nl === -1) return [{ offset: open + 1, length: 0, content: style.eol + indent + item(indent, false) + style.eol + closeIndent }];
  // Multi-line empty container: insert at the end of the `{` line, after a `// comment` that sits there.
  let at = open + 1 + nl;
  if (text[at - 1] === '\r') at--;
  const head = text.slice(open + 1, at).trim();
  if (head !== '' && !(head.startsWith('//') && tokensBetween(text, open + 1, at).comments.length === 1)) at = open + 1;
  return [{ offset: at, length: 0, content: style.eol + indent + item(indent, false) }];
}

/**
 * A single comment that follows `from` on its line (after a trailing comma, if any), with nothing after
 * it on that line but white space: where it ends, and whether the comma is there. Strict JSON never has one.
 */
function trailingComment(text: string, from: number, close: number): { end: number; comma: boolean } | undefined {
  const m = /^([ \t]*,?[ \t]*)(\/\/[^\r\n]*|\/\*(?:(?!\*\/)[^\r\n])*\*\/)[ \t]*\r?\n/.exec(text.slice(from, Math.min(close, from + 4096)));
  if (!m) return undefined;
  const comma = m[1].includes(',');
  // The entry's separator must be that comma or none: a comma further down (`"a": 1 // x` then `, // y`) is the entry's.
  if (tokensBetween(text, from, close).commas.length !== (comma ? 1 : 0)) return undefined;
  return { end: from + m[1].length + m[2].length, comma };
}

/** Offsets of comment tokens and commas in [start, end). */
function tokensBetween(text: string, start: number, end: number): { commas: number[]; comments: Array<[number, number]> } {
  const scanner = createScanner(text, false);
  scanner.setPosition(start);
  const commas: number[] = [];
  const comments: Array<[number, number]> = [];
  for (;;) {
    const kind = scanner.scan();
    const at = scanner.getTokenOffset();
    if (kind === SyntaxKind.EOF || at >= end) break;
    if (kind === SyntaxKind.CommaToken) commas.push(at);
    else if (kind === SyntaxKind.LineCommentTrivia || kind === SyntaxKind.BlockCommentTrivia) {
      comments.push([at, at + scanner.getTokenLength()]);
    }
  }
  return { commas, comments };
}

/**
 * Remove one child (property or element) of container. Exact inverse of appendChild when nothing was
 * written in between; comments around the child are never removed (they may describe a neighbour).
 */
export function removeChild(text: string, container: Node, children: readonly Node[], index: number): Splice[] {
  const child = children[index];
  const start = child.offset;
  const end = child.offset + child.length;
  const prev = children[index - 1];
  const next = children[index + 1];
  const close = container.offset + container.length - 1;
  if (prev) {
    const prevEnd = prev.offset + prev.length;
    const between = tokensBetween(text, prevEnd, start);
    if (between.comments.length === 0) return [{ offset: prevEnd, length: end - prevEnd, content: '' }];
    // Comments before the child stay where they are (below: with the next sibling, or as the last child).
  }
  if (next) {
    const between = tokensBetween(text, end, next.offset);
    if (between.comments.length === 0) return [{ offset: start, length: next.offset - start, content: '' }];
    const comma = between.commas[0];
    if (between.comments[0][0] < comma) {
      // `"a": 1 /* c */,`: keep the comment, drop the child and the comma
      return [
        { offset: start, length: end - start, content: '' },
        { offset: comma, length: 1, content: '' },
      ];
    }
    return [{ offset: start, length: comma + 1 - start, content: '' }];
  }
  // The last child (comments, if any, before it are kept): also take its trailing comma (JSONC).
  const edits: Splice[] = [];
  let to = end;
  const after = tokensBetween(text, end, close);
  const trailing: number | undefined = after.commas[0];
  if (trailing !== undefined) {
    if (after.comments.some(([s]) => s < trailing)) edits.push({ offset: trailing, length: 1, content: '' });
    else to = trailing + 1;
  }
  let lastComment: [number, number] | undefined;
  let from: number;
  if (prev) {
    const between = tokensBetween(text, prev.offset + prev.length, start);
    const comma = between.commas[0];
    lastComment = between.comments[between.comments.length - 1];
    from = Math.max(lastComment[1], comma + 1);
    // Drop the separating comma, unless the child had a trailing comma: then the previous child keeps it as one.
    if (trailing === undefined) edits.push({ offset: comma, length: 1, content: '' });
  } else {
    const before = tokensBetween(text, container.offset + 1, start);
    lastComment = before.comments[before.comments.length - 1];
    from = lastComment ? lastComment[1] : container.offset + 1;
  }
  if (lastComment && from === lastComment[1] && text.startsWith('//', lastComment[0])) {
    // Never pull what follows the child onto a `// comment` line (it would become part of the comment).
    const eol = text.slice(to).search(/[\r\n]/);
    const rest = eol === -1 ? text.slice(to) : text.slice(to, to + eol);
    if (rest.trim() === '') to += rest.length;
    else from = start;
  }
  edits.push({ offset: from, length: to - from, content: '' });
  return edits;
}

/** The insides of two empty containers hold the same comments (so they differ in white space only). */
export function onlyWhiteSpaceDiffers(inner: string, originalInner: string): boolean {
  const commentTexts = (t: string) => JSON.stringify(tokensBetween(t, 0, t.length).comments.map(([s, e]) => t.slice(s, e)));
  return commentTexts(inner) === commentTexts(originalInner);
}
