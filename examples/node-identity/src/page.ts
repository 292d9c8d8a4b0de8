import type { SiteConfig } from './config.js';
import type { User } from './sign-in.js';

/** The example site's one page: a sign-in form or who is signed in, and the avatar. */
export function renderPage(user: User | null, vibhava: SiteConfig['vibhava']): string {
  const account = user
    ? `<p id="account">Signed in as <strong>${escapeHtml(user.name)}</strong> (${escapeHtml(user.id)}).</p>
      <form method="post" action="/sign-out"><button type="submit">Sign out</button></form>`
    : `<form id="sign-in" method="post" action="/sign-in">
        <label>Your name <input name="name" autocomplete="username" required maxlength="60" /></label>
        <button type="submit">Sign in</button>
      </form>`;
  // Inlined as JSON in a script: `<` is escaped so no value can close the script element.
  const settings = JSON.stringify({ ...vibhava, signedIn: user !== null }).replaceAll('<', '\\u003c');
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Example shop · signed-in visitors</title>
    <style>
      body { max-width: 640px; margin: 48px auto; padding: 0 24px; font-family: system-ui, sans-serif; line-height: 1.5; }
    </style>
  </head>
  <body>
    <h1>Example shop</h1>
    ${account}
    <p>
      Signed in, the avatar knows you by your account: what you tell it follows you to every
      browser and device where you sign in. Signed out, you are an anonymous visitor.
    </p>
    <script src="/widget/vibhava-avatar.min.js"></script>
    <script type="module">
      const settings = ${settings};
      const avatar = document.createElement('vibhava-avatar');
      avatar.serverUrl = settings.serverUrl;
      avatar.publishableKey = settings.publishableKey;
      avatar.avatarId = settings.avatarId;
      if (settings.signedIn) {
        // A fresh identity token from this site's backend, for the signed-in user.
        const response = await fetch('/identity-token', { cache: 'no-store' });
        if (response.ok) avatar.identityToken = (await response.json()).token;
      }
      document.body.append(avatar);
    </script>
  </body>
</html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}
