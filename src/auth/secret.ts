/**
 * Reading a secret (an API key) without it reaching a command line, a shell history or the screen:
 * from a terminal, typed with no echo; otherwise from stdin (`printf %s "$KEY" | mcpwire auth login
 * NAME --api-key`, or a password manager's CLI piped in).
 */
import { UserError } from '../errors.js';

const MAX_BYTES = 16 * 1024;

export async function readSecret(prompt: string, what: string, fix: string): Promise<string> {
  const stdin = process.stdin;
  const raw = stdin.isTTY ? await readHidden(stdin, prompt) : await readAll(stdin);
  // A trailing newline (echo, a file) is not part of the key; surrounding spaces never are.
  const value = raw.replace(/\r?\n$/, '').trim();
  if (value === '') throw new UserError(`No ${what} was given.`, { fix });
  if (/[\u0000-\u001f\u007f]/.test(value))
    throw new UserError(`The ${what} holds a line break or a control character.`, { fix: `Give the ${what} alone, on one line.` });
  return value;
}

function readAll(stdin: NodeJS.ReadStream): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stdin.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BYTES) {
        stdin.destroy();
        reject(new UserError(`More than ${MAX_BYTES} bytes on stdin: that is not an API key.`, { fix: 'Pipe the key alone into the command.' }));
        return;
      }
      chunks.push(c);
    });
    stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    stdin.on('error', reject);
  });
}

/** Typed with no echo: Enter ends it, Backspace erases, Ctrl-C or Ctrl-D on an empty line cancels. */
function readHidden(stdin: NodeJS.ReadStream, prompt: string): Promise<string> {
  // Echo off before the prompt appears: a key typed (or pasted) the moment the prompt shows must not echo.
  stdin.setRawMode(true);
  process.stderr.write(prompt);
  stdin.setEncoding('utf8');
  stdin.resume();
  return new Promise<string>((resolve, reject) => {
    let value = '';
    const done = (err?: UserError) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (text: string) => {
      for (const ch of text) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003' || (ch === '\u0004' && value === '')) return done(new UserError('Cancelled; nothing was stored.', { exitCode: 130 }));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else if (ch >= ' ') value += ch;
      }
    };
    stdin.on('data', onData);
  });
}
