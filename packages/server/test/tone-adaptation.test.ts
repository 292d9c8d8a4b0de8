import { MessageListSchema } from '@vibhava/protocol';
import { describe, expect, it } from 'vitest';
import { avatarKit, type AvatarView } from './avatar-kit.js';
import { api } from './support.js';

const { harness, call, json, visit, say, conversation, lastSystem } = avatarKit();

describe('visitor emotion, feedback and tone adaptation', () => {
  it('classifies each visitor message, stores the emotion and hints the reply’s tone', async () => {
    const { token } = await visit('avt_demo');
    const id = await conversation(token);
    const parts = await say(token, id, "I'm so scared, my flight got cancelled and I don't know what to do");
    const start = parts[0];
    expect(start).toMatchObject({ type: 'start', userMessage: { emotion: { ekman: 'fear' } } });
    const note = lastSystem().at(-1)!.content;
    expect(note).toMatch(/sounds \w+ (fear|nervousness)/);
    // An upset visitor makes the avatar gentler, within the author's bounds, with the reason logged.
    expect(note).toMatch(/Tone: .*(gentle|warm|reassur)/i);
    const log = await json<{ adaptations: Array<{ dimension: string; reason: string; to: number }> }>(
      call('GET', '/avatars/avt_demo/adaptations'),
      200,
    );
    const warmth = log.adaptations.find((a) => a.dimension === 'warmth');
    expect(warmth?.to).toBeGreaterThan(0);
    expect(warmth?.reason).toMatch(/fear|upset|afraid|scared/i);

    const history = MessageListSchema.parse(
      await (await api(harness().server, `/v1/conversations/${id}/messages`, { token })).json(),
    );
    expect(history.messages[0]?.emotion).toMatchObject({ ekman: 'fear' });
  });

  it('never shows an upset visitor an angry face: the expression turns to concern', async () => {
    const { token } = await visit('avt_demo');
    const id = await conversation(token);
    const upset = await say(token, id, "feel:anger I'm so scared, my flight got cancelled and I don't know what to do");
    expect(upset[0]).toMatchObject({ userMessage: { emotion: { ekman: 'fear' } } });
    expect(upset.find((p) => p.type === 'emotion')).toMatchObject({ emotion: 'sadness' });
    const calm = await say(token, id, 'feel:anger tell me about the storm in the story');
    expect(calm.find((p) => p.type === 'emotion')).toMatchObject({ emotion: 'anger' });
  });

  it('stores thumbs up/down with reasons and gets shorter after repeated “too long”', async () => {
    const avatar = await json<AvatarView>(call('POST', '/avatars', { name: 'Brevis', greeting: 'Hi' }), 201);
    const { token } = await visit(avatar.id);
    const id = await conversation(token);
    for (const question of ['tell me about bread', 'and about cakes']) {
      const parts = await say(token, id, question);
      const reply = parts.find((p) => p.type === 'start')!;
      if (reply.type !== 'start') throw new Error('no start');
      const vote = await api(
        harness().server,
        `/v1/conversations/${id}/messages/${reply.assistantMessageId}/feedback`,
        {
          method: 'PUT',
          body: { rating: 'down', reason: 'too_long' },
          token,
        },
      );
      expect(vote.status).toBe(200);
    }
    await say(token, id, 'and pies?');
    expect(lastSystem().at(-1)!.content).toMatch(/Tone: .*(short|brief|concise)/i);
    const log = await json<{ adaptations: Array<{ dimension: string; reason: string }> }>(
      call('GET', `/avatars/${avatar.id}/adaptations`),
      200,
    );
    expect(log.adaptations.find((a) => a.dimension === 'brevity')?.reason).toMatch(
      /too long|long replies|shorter|brief/i,
    );
    const votes = await json<{ summary: { up: number; down: number }; feedback: Array<{ reason: string }> }>(
      call('GET', `/avatars/${avatar.id}/feedback`),
      200,
    );
    expect(votes.summary).toEqual({ up: 0, down: 2 });
    expect(votes.feedback.map((f) => f.reason)).toEqual(['too_long', 'too_long']);

    // Votes are checked: another visitor's conversation, or a bad rating, are refused.
    const stranger = await visit(avatar.id);
    const foreign = await api(harness().server, `/v1/conversations/${id}/messages/msg_x/feedback`, {
      method: 'PUT',
      body: { rating: 'up' },
      token: stranger.token,
    });
    expect(foreign.status).toBe(404);
    const bad = await api(harness().server, `/v1/conversations/${id}/messages/msg_x/feedback`, {
      method: 'PUT',
      body: { rating: 'meh' },
      token,
    });
    expect(bad.status).toBe(400);
  });

  it('does not adapt when the author turned adaptation off', async () => {
    const avatar = await json<AvatarView>(
      call('POST', '/avatars', { name: 'Stoic', greeting: 'Hi', adaptation: { enabled: false } }),
      201,
    );
    const { token } = await visit(avatar.id);
    const id = await conversation(token);
    await say(token, id, "I'm terrified and furious, everything is going wrong!!");
    expect(lastSystem().at(-1)!.content).not.toMatch(/Tone:/);
    const log = await json<{ adaptations: unknown[] }>(call('GET', `/avatars/${avatar.id}/adaptations`), 200);
    expect(log.adaptations).toEqual([]);
  });
});
