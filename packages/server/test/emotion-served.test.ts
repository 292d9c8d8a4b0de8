import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, collectParts, newConversation, startHarness, startSession, type Harness } from './support.js';

// VIBHAVA_EMOTION_CLASSIFIER=embedding: the visitor's emotion from the local sentence-embedding
// model and its head (the model comes from `pnpm models pull`, which the setup script runs).
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ emotionClassifier: 'embedding' });
});
afterAll(() => h?.close());

describe('the embedding emotion classifier, served', () => {
  it('labels each visitor message on the message path and stores it', async () => {
    const { token } = await startSession(h.server);
    const id = await newConversation(h.server, token);
    const scared = await collectParts(
      await api(h.server, `/v1/conversations/${id}/messages`, {
        body: { content: "I'm terrified, the storm knocked out our power and the kids are crying" },
        token,
      }),
    );
    expect(scared[0]).toMatchObject({ type: 'start', userMessage: { emotion: { ekman: 'fear' } } });
    const grateful = await collectParts(
      await api(h.server, `/v1/conversations/${id}/messages`, {
        body: { content: 'Thank you so much, that really helped!' },
        token,
      }),
    );
    expect(grateful[0]).toMatchObject({ userMessage: { emotion: { label: 'gratitude', ekman: 'joy' } } });
  });
});
