import { useState } from 'react';
import { VibhavaAvatar } from './vibhava-avatar.js';

const env = import.meta.env;

export function App() {
  const [open, setOpen] = useState(false);
  const [replies, setReplies] = useState<readonly string[]>([]);
  const [error, setError] = useState<string | null>(null);

  return (
    <main>
      <h1>Your React app</h1>
      <p>
        The avatar is <code>&lt;vibhava-avatar&gt;</code> wrapped by <code>@lit/react</code>: props become the
        element&apos;s properties and its events arrive typed.
      </p>
      <button type="button" onClick={() => setOpen(true)} disabled={open}>
        Ask the avatar
      </button>
      <h2>Replies</h2>
      <ol id="replies" aria-live="polite">
        {replies.map((reply, index) => (
          <li key={index}>{reply}</li>
        ))}
      </ol>
      {error && <p role="alert">{error}</p>}

      <VibhavaAvatar
        serverUrl={env.VITE_VIBHAVA_SERVER_URL}
        publishableKey={env.VITE_VIBHAVA_PUBLISHABLE_KEY}
        avatarId={env.VITE_VIBHAVA_AVATAR_ID}
        open={open}
        onOpen={() => setOpen(true)}
        onClose={() => setOpen(false)}
        onMessage={(event) => {
          setError(null);
          setReplies((previous) => [...previous, event.detail.content]);
        }}
        onError={(event) => setError(`${event.detail.code}: ${event.detail.message}`)}
      />
    </main>
  );
}
