import type { MemoryService } from '../memory/memory-service.js';
import type { MemoryScope } from '../memory/memory-store.js';

/**
 * Facts from a Markdown file about a site: one per list item, prefixed with the heading above it
 * ("## Opening hours" + "- Monday: closed." → "Opening hours: Monday: closed."), so each fact
 * still says what it is about when it is found alone. The top-level title adds nothing.
 */
export function parseKnowledgeFile(markdown: string): string[] {
  const facts: string[] = [];
  let heading = '';
  for (const raw of markdown.split(/\r?\n/)) {
    const line = raw.trim();
    const title = /^(#{2,6})\s+(.+)$/.exec(line);
    if (title) heading = title[2]!.trim();
    else if (/^#\s/.test(line)) heading = '';
    const item = /^[-*+]\s+(.+)$/.exec(line);
    if (!item) continue;
    const text = item[1]!.trim();
    facts.push(heading && !text.toLowerCase().startsWith(heading.toLowerCase()) ? `${heading}: ${text}` : text);
  }
  return facts;
}

/**
 * Adds facts to a scope's knowledge (the admin API's entries), skipping those already there word
 * for word; the demo seed and `vibhava knowledge add` both go through here.
 */
export async function addKnowledge(
  memory: MemoryService,
  scope: MemoryScope,
  facts: readonly string[],
): Promise<{ added: number; known: number }> {
  const known = new Set((await memory.store.list(scope, { kinds: ['fact'], limit: 10_000 })).map((e) => e.text));
  let added = 0;
  for (const text of facts) {
    if (known.has(text)) continue;
    await memory.create(scope, { text, category: 'other' }, 'admin');
    known.add(text);
    added++;
  }
  return { added, known: facts.length - added };
}
