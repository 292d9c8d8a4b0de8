import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { examplesDir, type ServedExample } from './vite-example.js';

const siteDir = join(examplesDir, 'node-identity');

/** Runs one of the node-identity example's scripts the way its `package.json` does (tsx). */
function runScript(script: string, env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: siteDir,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Collects a child's output, for the error message when it fails. */
function output(child: ChildProcess): () => string {
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return () => text;
}

/** Starts the example site (`pnpm start`) on a free loopback port; resolves once it listens. */
export async function startIdentitySite(serverUrl: string): Promise<ServedExample> {
  const child = runScript('src/main.ts', { PORT: '0', HOST: '127.0.0.1', VIBHAVA_SERVER_URL: serverUrl });
  const printed = output(child);
  const exited = once(child, 'exit');
  const url = await new Promise<string>((resolve, reject) => {
    const onData = () => {
      const match = /Example site on (http:\/\/\S+)/.exec(printed());
      if (match) resolve(match[1]!);
    };
    child.stdout?.on('data', onData);
    void exited.then(([code]) => reject(new Error(`The example site exited (${code}):\n${printed()}`)));
  });
  return {
    url,
    async close() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** `pnpm configure-tenant`: the tenant trusts the site's identity tokens from now on. */
export async function configureTenant(serverUrl: string, admin: { email: string; password: string }): Promise<void> {
  const child = runScript('src/configure-tenant.ts', {
    VIBHAVA_SERVER_URL: serverUrl,
    VIBHAVA_ADMIN_EMAIL: admin.email,
    VIBHAVA_ADMIN_PASSWORD: admin.password,
  });
  const printed = output(child);
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`configure-tenant failed (${code}):\n${printed()}`);
}
