import { join } from 'node:path';
import type { MemoryList } from '@vibhava/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/database.js';
import { HeuristicMemoryExtractor } from '../src/memory/heuristic-extractor.js';
import { MemoryOutbox } from '../src/memory/memory-outbox.js';
import { MemoryService } from '../src/memory/memory-service.js';
import { api, collectParts, newConversation, startHarness, startSession, type Harness } from './support.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const outboxRows = async () =>
  (await h.server.db.$client.execute('SELECT assistant_message_id, user_message_id FROM memory_outbox')).rows;

async function memories(token: string): Promise<MemoryList> {
  return (await (await api(h.server, '/v1/memories', { token })).json()) as MemoryList;
}

async function until<T>(read: () => Promise<T>, ready: (value: T) => boolean): Promise<T> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const value = await read();
    if (ready(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the condition never held');
}

describe('turns waiting for memory (the outbox)', () => {
  it('queues a turn with the turn itself and clears it once memory has it', async () => {
    const { token } = await startSession(h.server);
    const id = await newConversation(h.server, token);
    const response = await api(h.server, `/v1/conversations/${id}/messages`, { body: { content: 'slow:60' }, token });
    const reader = response.body!.getReader();
    await reader.read();
    // Mid-reply: the turn is stored, and so is its place in the outbox.
    const [queued] = await outboxRows();
    const [user] = (
      await h.server.db.$client.execute({
        sql: `SELECT id FROM messages WHERE conversation_id = ? AND role = 'user'`,
        args: [id],
      })
    ).rows;
    expect(queued?.['user_message_id']).toBe(user?.['id']);
    while (!(await reader.read()).done);
    await until(outboxRows, (rows) => rows.length === 0);
  });

  it('remembers, on any instance’s next sweep, a turn whose writer stopped before memory had it', async () => {
    const { token } = await startSession(h.server);
    const id = await newConversation(h.server, token);
    await collectParts(
      await api(h.server, `/v1/conversations/${id}/messages`, { body: { content: 'I live in Lisbon now.' }, token }),
    );
    await until(outboxRows, (rows) => rows.length === 0);
    // As if the process had stopped before remembering: nothing remembered, the turn still queued,
    // its writer's claim eleven minutes old.
    await api(h.server, '/v1/memories', { method: 'DELETE', token });
    expect((await memories(token)).memories).toEqual([]);
    const { rows: turn } = await h.server.db.$client.execute({
      sql: `SELECT id, role FROM messages WHERE conversation_id = ? ORDER BY seq`,
      args: [id],
    });
    const [userId, assistantId] = turn.map((row) => String(row['id']));
    await h.server.db.$client.execute({
      sql: 'INSERT INTO memory_outbox (assistant_message_id, conversation_id, user_message_id, claimed_at) VALUES (?, ?, ?, ?)',
      args: [assistantId!, id, userId!, Date.now() - 11 * 60_000],
    });

    // Another instance on the same database.
    const db = await openDatabase({ url: `file:${join(h.dataDir, 'vibhava.db')}` });
    const memory = new MemoryService({
      db,
      embeddings: () => Promise.resolve(null),
      extractor: new HeuristicMemoryExtractor(),
    });
    const outbox = new MemoryOutbox(db, memory, { sweepEveryMs: 0 });
    try {
      expect(await outbox.sweep()).toBe(1);
      await memory.idle();
      expect(await outboxRows()).toEqual([]);
      const list = await until(
        () => memories(token),
        (value) => value.memories.length >= 2,
      );
      const episode = list.memories.find((m) => m.kind === 'episode');
      expect(episode?.sourceMessageIds).toEqual(expect.arrayContaining([userId, assistantId]));
      expect(episode?.text).toContain('I live in Lisbon now.');
      expect(list.memories.some((m) => m.kind === 'fact' && /Lisbon/.test(m.text))).toBe(true);
      // A second sweep finds nothing left.
      expect(await outbox.sweep()).toBe(0);
    } finally {
      outbox.close();
      db.$client.close();
    }
  });

  it('leaves a turn whose writer still holds it to that writer', async () => {
    const { token } = await startSession(h.server);
    const id = await newConversation(h.server, token);
    await collectParts(await api(h.server, `/v1/conversations/${id}/messages`, { body: { content: 'hello' }, token }));
    await until(outboxRows, (rows) => rows.length === 0);
    const { rows } = await h.server.db.$client.execute({
      sql: `SELECT id FROM messages WHERE conversation_id = ? ORDER BY seq`,
      args: [id],
    });
    await h.server.db.$client.execute({
      sql: 'INSERT INTO memory_outbox (assistant_message_id, conversation_id, user_message_id, claimed_at) VALUES (?, ?, ?, ?)',
      args: [String(rows[1]!['id']), id, String(rows[0]!['id']), Date.now()],
    });
    const db = await openDatabase({ url: `file:${join(h.dataDir, 'vibhava.db')}` });
    const memory = new MemoryService({ db, embeddings: () => Promise.resolve(null), extractor: null });
    const outbox = new MemoryOutbox(db, memory, { sweepEveryMs: 0 });
    try {
      expect(await outbox.sweep()).toBe(0);
      expect(await outboxRows()).toHaveLength(1);
    } finally {
      outbox.close();
      db.$client.close();
      await h.server.db.$client.execute('DELETE FROM memory_outbox');
    }
  });
});
