import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { SiteConfig } from './config.js';
import { mintIdentityToken } from './identity-token.js';
import { renderPage } from './page.js';
import { SignIns } from './sign-in.js';

const MAX_FORM_BYTES = 4096;

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The developer's own site: pages, a pretend sign-in, and `GET /identity-token`, which mints
 * an identity token for the signed-in user. The widget's script-tag build is served from npm.
 */
export function createSite(config: SiteConfig): Server {
  const signIns = new SignIns();
  const widgetScript = fileURLToPath(import.meta.resolve('@vibhava/widget/cdn'));

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://site.invalid').pathname;
    const endpoint = `${request.method} ${path}`;
    if (endpoint === 'GET /') {
      const html = renderPage(signIns.userOf(request), config.vibhava);
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(html);
    } else if (endpoint === 'GET /identity-token') {
      const user = signIns.userOf(request);
      if (!user) throw new HttpError(401, 'unauthorized', 'Sign in first: identity tokens are for signed-in users.');
      const token = await mintIdentityToken(user, config.identity);
      sendJson(response, 200, { token, expiresInSeconds: config.identity.ttlSeconds });
    } else if (endpoint === 'POST /sign-in') {
      const name = new URLSearchParams(await readForm(request)).get('name')?.trim();
      if (!name) throw new HttpError(400, 'invalid_request', 'Send a name to sign in with.');
      redirectHome(response, signIns.signIn(name));
    } else if (endpoint === 'POST /sign-out') {
      redirectHome(response, signIns.signOut(request));
    } else if (endpoint === 'GET /widget/vibhava-avatar.min.js') {
      const script = await readFile(widgetScript);
      response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(script);
    } else {
      throw new HttpError(404, 'not_found', `Nothing at ${endpoint}.`);
    }
  }

  return createServer((request, response) => {
    route(request, response).catch((error: unknown) => {
      if (error instanceof HttpError)
        sendJson(response, error.status, { error: { code: error.code, message: error.message } });
      else {
        console.error(error);
        sendJson(response, 500, { error: { code: 'internal_error', message: 'Something went wrong.' } });
      }
    });
  });
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response
    .writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' })
    .end(JSON.stringify(body));
}

function redirectHome(response: ServerResponse, cookie: string): void {
  response.writeHead(303, { location: '/', 'set-cookie': cookie }).end();
}

async function readForm(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) throw new HttpError(413, 'payload_too_large', 'The form is too large.');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
