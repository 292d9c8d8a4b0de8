import type { Memory } from '@vibhava/sdk';

/** The remembered moments (episodes) of one conversation, shown as one line. */
export interface MomentGroup {
  /** The conversation's id, or the day for moments from a conversation the server no longer names. */
  key: string;
  /** "From our conversation on 3 Dec: 4 moments". */
  label: string;
  moments: Memory[];
}

/**
 * What the memory panel lists: facts first, in the server's order (newest first), then one group
 * per conversation for its episodes. Episodes are moments kept as they were said: useful to the
 * avatar, noise to a visitor reading what is remembered about them, so they stay folded.
 */
export function groupMemories(memories: readonly Memory[]): { facts: Memory[]; groups: MomentGroup[] } {
  const facts: Memory[] = [];
  const byKey = new Map<string, Memory[]>();
  for (const memory of memories) {
    if (memory.kind !== 'episode') {
      facts.push(memory);
      continue;
    }
    const key = memory.conversationId ?? memory.createdAt.slice(0, 10);
    byKey.set(key, [...(byKey.get(key) ?? []), memory]);
  }
  const groups = [...byKey].map(([key, moments]) => {
    const first = moments.reduce((a, b) => (a.createdAt < b.createdAt ? a : b));
    const day = new Date(first.createdAt).toLocaleDateString(undefined, { day: 'numeric', month: 'short' });
    const count = `${moments.length} moment${moments.length === 1 ? '' : 's'}`;
    return { key, label: `From our conversation on ${day}: ${count}`, moments };
  });
  return { facts, groups };
}
