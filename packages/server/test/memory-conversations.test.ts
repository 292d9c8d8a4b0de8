import { MemoryListSchema, type MemoryList } from '@vibhava/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, newConversation, startHarness, startSession, type Harness } from './support.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

async function memories(token: string): Promise<MemoryList> {
  return MemoryListSchema.parse(await (await api(h.server, '/v1/memories', { token })).json());
}

describe('GET /v1/memories', () => {
  it('names the conversation each remembered moment came from', async () => {
    const { token } = await startSession(h.server);
    const conversations = [await newConversation(h.server, token), await newConversation(h.server, token)];
    for (const [index, id] of conversations.entries()) {
      for (const words of ['I like lighthouses.', `This is conversation number ${index + 1}.`]) {
        const response = await api(h.server, `/v1/conversations/${id}/messages`, { body: { content: words }, token });
        await response.text();
      }
    }
    await api(h.server, '/v1/memories', { body: { text: 'I prefer tea' }, token });
    // Memory is written after each reply, in the background.
    let list = await memories(token);
    for (let attempt = 0; attempt < 100 && list.memories.filter((m) => m.kind === 'episode').length < 4; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      list = await memories(token);
    }
    const episodes = list.memories.filter((m) => m.kind === 'episode');
    expect(episodes).toHaveLength(4);
    for (const [index, id] of conversations.entries()) {
      const own = episodes.filter((m) => m.conversationId === id);
      expect(own.map((m) => m.text).join('\n')).toContain(`conversation number ${index + 1}`);
      expect(own).toHaveLength(2);
    }
    // What the visitor wrote themselves came from no conversation.
    expect(list.memories.find((m) => m.text === 'I prefer tea')).not.toHaveProperty('conversationId');
  });
});
