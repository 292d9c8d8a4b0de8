import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Hono } from 'hono';

export interface DemoSiteOptions {
  /** Folder with index.html (examples/script-tag). */
  exampleDir: string;
  /** The widget's script-tag build (packages/widget/dist/vibhava-avatar.min.js). */
  widgetScript: string;
  publishableKey: string;
  avatarId: string;
}

/** Serves the script-tag example at `/` and the widget bundle at `/widget/`. */
export function mountDemoSite(app: Hono<never>, options: DemoSiteOptions, serverUrl: () => string): void {
  app.get('/', async (c) => {
    const template = await readFile(join(options.exampleDir, 'index.html'), 'utf8').catch(() => null);
    if (template === null) return c.text('The example page is missing: examples/script-tag/index.html', 404);
    const html = template
      .replaceAll('{{SERVER_URL}}', new URL(c.req.url).origin || serverUrl())
      .replaceAll('{{PUBLISHABLE_KEY}}', options.publishableKey)
      .replaceAll('{{AVATAR_ID}}', options.avatarId);
    return c.html(html);
  });
  app.get('/widget/vibhava-avatar.min.js', async (c) => {
    const script = await readFile(options.widgetScript, 'utf8').catch(() => null);
    if (script === null) return c.text('The widget is not built yet: run `pnpm build`.', 404);
    return c.body(script, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' });
  });
}
