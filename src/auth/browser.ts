/** Opening the login page: `BROWSER` when set (the command, with the URL as its last argument), else the platform opener. */
import { spawn } from 'node:child_process';

export async function openBrowser(url: string, env: Record<string, string | undefined>): Promise<boolean> {
  const browser = env.BROWSER?.trim();
  try {
    if (browser) {
      const [cmd, ...args] = browser.split(/\s+/);
      const child = spawn(cmd, [...args, url], { stdio: 'ignore', detached: true, env: env as NodeJS.ProcessEnv });
      child.on('error', () => {});
      child.unref();
      return true;
    }
    const open = (await import('open')).default;
    const child = await open(url, { wait: false });
    child.on('error', () => {});
    return true;
  } catch {
    return false; // the URL is printed anyway
  }
}
