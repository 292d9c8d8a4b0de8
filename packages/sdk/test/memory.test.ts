import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  InvalidRequestError,
  NotFoundError,
  VibhavaChat,
  VibhavaMemory,
  type MemoryState,
} from '../src/index.js';
import { startTestServers, type TestServers } from './test-server.js';

// Needs the server's /v1/memories and /v1/preferences routes.
let servers: TestServers;

beforeAll(async () => {
  servers = await startTestServers();
});
afterAll(async () => {
  await servers.close();
});

describe('memories through the client', () => {
  it('adds, lists, edits, explains and deletes the visitor’s own memories', async () => {
    const client = servers.client();
    expect(await client.listMemories()).toEqual({ memories: [], paused: false });

    const added = await client.addMemory({ text: '  My cat is called Miso ', category: 'relationship' });
    expect(added).toMatchObject({
      text: 'My cat is called Miso',
      category: 'relationship',
      kind: 'fact',
      scope: 'visitor',
      sourceMessageIds: [],
    });
    expect((await client.listMemories()).memories.map((m) => m.id)).toEqual([added.id]);

    const edited = await client.updateMemory(added.id, { text: 'My cat is called Mochi' });
    expect(edited).toMatchObject({ id: added.id, text: 'My cat is called Mochi', category: 'relationship' });
    expect(Date.parse(edited.updatedAt)).toBeGreaterThanOrEqual(Date.parse(added.updatedAt));

    const history = await client.memoryHistory(added.id);
    expect(history.memoryId).toBe(added.id);
    expect(history.changes.map((c) => [c.event, c.actor, c.after])).toEqual([
      ['add', 'visitor', 'My cat is called Miso'],
      ['update', 'visitor', 'My cat is called Mochi'],
    ]);

    await client.deleteMemory(added.id);
    expect((await client.listMemories()).memories).toEqual([]);
    await expect(client.updateMemory(added.id, { text: 'gone' })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('keeps each visitor’s memories to themselves, and refuses empty text', async () => {
    const owner = servers.client();
    const memory = await owner.addMemory({ text: 'I live in Lisbon' });
    const stranger = servers.client();
    expect((await stranger.listMemories()).memories).toEqual([]);
    await expect(stranger.updateMemory(memory.id, { text: 'I live in Porto' })).rejects.toBeInstanceOf(NotFoundError);
    await expect(stranger.memoryHistory(memory.id)).rejects.toBeInstanceOf(NotFoundError);
    expect((await owner.listMemories()).memories.map((m) => m.text)).toEqual(['I live in Lisbon']);

    const empty = await owner.addMemory({ text: '   ' }).catch((error: unknown) => error);
    expect(empty).toBeInstanceOf(InvalidRequestError);
    expect(empty).toMatchObject({ code: 'invalid_request', status: 400 });
  });

  it('forgets everything at once', async () => {
    const client = servers.client();
    await client.addMemory({ text: 'I play the cello' });
    await client.addMemory({ text: 'I have two sisters', category: 'relationship' });
    expect(await client.forgetAll()).toBe(2);
    expect((await client.listMemories()).memories).toEqual([]);
    expect(await client.forgetAll()).toBe(0);
  });

  it('pauses memory: nothing remembered goes into a reply', async () => {
    const client = servers.client();
    await client.addMemory({ text: 'My favourite colour is green', category: 'preference' });
    expect(await client.setMemoryPaused(true)).toEqual({ paused: true });
    expect((await client.listMemories()).paused).toBe(true);

    const chat = new VibhavaChat({ client });
    const paused = await chat.send('What is my favourite colour?');
    expect(chat.state.traces[paused!.id]).toMatchObject({ memoryPaused: true, memories: [] });

    expect(await client.setMemoryPaused(false)).toEqual({ paused: false });
    const resumed = await chat.send('What is my favourite colour?');
    const trace = chat.state.traces[resumed!.id];
    expect(trace?.memoryPaused).toBe(false);
    expect(trace?.memories.map((m) => m.text)).toContain('My favourite colour is green');
  });
});

describe('preferences through the client', () => {
  it('reads and sets how the visitor likes to be answered, with the history, and uses it', async () => {
    const client = servers.client();
    const before = await client.getPreferences();
    expect(before.preferences).toMatchObject({ replyLength: null, formality: null, likes: [], avoid: [] });

    const after = await client.updatePreferences({ replyLength: 'short', likes: ['cats'] });
    expect(after.preferences).toMatchObject({ replyLength: 'short', likes: ['cats'], formality: null });
    expect(after.history).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: 'replyLength', after: 'short', source: 'visitor' })]),
    );
    await expect(client.updatePreferences({ language: 'not a tag!' })).rejects.toBeInstanceOf(InvalidRequestError);

    const chat = new VibhavaChat({ client });
    const reply = await chat.send('Tell me something');
    expect(chat.state.traces[reply!.id]?.preferences).toEqual(
      expect.arrayContaining([{ field: 'replyLength', value: 'short' }]),
    );
  });
});

describe('VibhavaMemory', () => {
  it('binds the list, edits, deletions, the pause switch and forgetting to state', async () => {
    const client = servers.client();
    const [older, newer] = [
      await client.addMemory({ text: 'I run marathons' }),
      await client.addMemory({ text: 'I work as a nurse', category: 'work' }),
    ];
    const memory = new VibhavaMemory({ client });
    const states: MemoryState[] = [];
    memory.subscribe((state) => states.push(state));

    await memory.load();
    expect(states[0]?.status).toBe('loading');
    expect(memory.state.status).toBe('ready');
    expect(memory.state.memories.map((m) => m.id).sort()).toEqual([older!.id, newer!.id].sort());

    const edited = await memory.update(older!.id, { text: 'I run half marathons' });
    expect(edited?.text).toBe('I run half marathons');
    expect(memory.state.memories.find((m) => m.id === older!.id)?.text).toBe('I run half marathons');

    // A refused change is reported and changes nothing.
    expect(await memory.update('mem_missing', { text: 'nope' })).toBeNull();
    expect(memory.state.error).toBeInstanceOf(NotFoundError);
    expect(memory.state.memories).toHaveLength(2);
    expect(await memory.remove('mem_missing')).toBe(false);
    expect(memory.state.memories).toHaveLength(2);

    expect(await memory.remove(newer!.id)).toBe(true);
    expect(memory.state.error).toBeNull();
    expect(memory.state.memories.map((m) => m.id)).toEqual([older!.id]);
    expect((await client.listMemories()).memories.map((m) => m.id)).toEqual([older!.id]);

    expect(await memory.setPaused(true)).toBe(true);
    expect(memory.state.paused).toBe(true);
    expect((await client.listMemories()).paused).toBe(true);

    const added = await memory.add({ text: 'I have a dog named Pixel' });
    expect(memory.state.memories[0]?.id).toBe(added?.id);

    expect(await memory.forgetAll()).toBe(2);
    expect(memory.state.memories).toEqual([]);
    expect((await client.listMemories()).memories).toEqual([]);
  });

  it('forgets several memories together, and brings back those the server kept', async () => {
    const client = servers.client();
    const [a, b, c] = [
      await client.addMemory({ text: 'I like the harbour' }),
      await client.addMemory({ text: 'I like the old town' }),
      await client.addMemory({ text: 'I like the market' }),
    ];
    const memory = new VibhavaMemory({ client });
    await memory.load();
    expect(await memory.removeMany([a!.id, b!.id])).toBe(true);
    expect(memory.state.memories.map((m) => m.id)).toEqual([c!.id]);
    expect((await client.listMemories()).memories.map((m) => m.id)).toEqual([c!.id]);

    // The second is refused (it does not exist): the first is gone, the third comes back.
    const d = await client.addMemory({ text: 'I like the lighthouse' });
    await memory.load();
    expect(await memory.removeMany([d!.id, 'mem_missing', c!.id])).toBe(false);
    expect(memory.state.error).toBeInstanceOf(NotFoundError);
    expect(memory.state.memories.map((m) => m.id)).toEqual([c!.id]);
    expect((await client.listMemories()).memories.map((m) => m.id)).toEqual([c!.id]);
  });

  it('reports a list it could not load', async () => {
    const memory = new VibhavaMemory({ client: servers.client({ publishableKey: 'pk_wrong' }) });
    await memory.load();
    expect(memory.state.status).toBe('error');
    expect(memory.state.error).toBeInstanceOf(AuthenticationError);
  });
});
