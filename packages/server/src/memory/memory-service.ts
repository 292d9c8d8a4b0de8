import type {
  CreateMemoryRequest,
  Memory,
  MemoryChange,
  PreferenceProfile,
  UpdateMemoryRequest,
} from '@vibhava/protocol';
import type { Database } from '../db/database.js';
import type { EmbeddingModel } from '../embeddings/embedding-model.js';
import type { ExistingMemory, ExtractionTurn, MemoryDecision, MemoryExtractor } from './extraction-types.js';
import {
  MemorySearch,
  MemoryScopeCache,
  type RetrievedMemory,
  type SearchOptions,
  type SearchQuery,
} from './memory-search.js';
import { withConversations } from './memory-conversations.js';
import {
  MemoryStore,
  readableScopes,
  type MemoryScope,
  type NewMemory,
  type ScopeState,
  type StoredMemory,
} from './memory-store.js';
import { EMPTY_PREFERENCES } from './preference-learner.js';
import { PreferenceService } from './preference-service.js';

/** A finished turn for the memory pipeline: the visitor's message and the avatar's reply. */
export interface TurnToRemember {
  scope: MemoryScope;
  user: { id: string; content: string; createdAt: string };
  assistant?: { id: string; content: string };
  /** Avatar messages before the visitor's message that no earlier turn covers (a greeting). */
  lead?: ReadonlyArray<{ id: string; content: string }>;
  /** The messages just before the turn, oldest first (context for the episode and the extractor). */
  previous?: ReadonlyArray<{ id: string; role: 'user' | 'assistant'; content: string }>;
  /** How the transcript names the two sides (default "Visitor" and "Avatar"). */
  names?: { visitor?: string; avatar?: string };
}

export interface ContextSearchOptions extends SearchOptions {
  /** How many of the avatar's and tenant's knowledge entries to return (0: none). Default 4. */
  knowledge?: number;
  /**
   * Also return all of the knowledge, in the order it was added, when it has at most this many
   * entries (a small site's facts fit in a prompt whole). Default 0: never.
   */
  wholeKnowledgeUpTo?: number;
}

/** What `contextFor` finds for a reply. */
export interface RecalledContext {
  /** The visitor's own memories, best first. */
  memories: RetrievedMemory[];
  /** The avatar's and tenant's knowledge, best first. */
  knowledge: RetrievedMemory[];
  /** All of the knowledge (avatar's first, each in the order added), when small enough to ask for. */
  wholeKnowledge?: readonly string[] | undefined;
  preferences: PreferenceProfile | null;
  paused: boolean;
}

export interface MemoryServiceOptions {
  db: Database;
  /** The embedding model; null (or a failed load) leaves keyword search only. */
  embeddings: () => Promise<EmbeddingModel | null>;
  /** Turns facts out of each turn; null keeps episodes only. */
  extractor?: MemoryExtractor | null;
  log?: (message: string, error: unknown) => void;
  /** Bytes of vectors kept in process across scopes (default 512 MiB). */
  cacheBytes?: number;
  /** Dimensions of stored vectors (default 384). */
  dimensions?: number;
  /**
   * False turns long-term memory off for the whole server: nothing is remembered or retrieved
   * and messages are not embedded (the visitor's list and preferences still answer).
   */
  enabled?: boolean;
}

/** Messages before a turn matched along with it: what the turn answers. */
const CONTEXT_MESSAGES = 1;

/** Longest episode text kept for display; the search text keeps the whole turn. */
const EPISODE_DISPLAY_CHARS = 1000;

/**
 * Long-term memory: after each turn the turn is kept as an episode (verbatim, with the message
 * before it as context) and the extractor's add / update / delete decisions are applied, one
 * scope at a time in the background. Retrieval, the visitor's own edits, pausing and the
 * preference profile go through here too.
 */
export class MemoryService {
  readonly store: MemoryStore;
  /** The visitor's preference profile: read, edited, learned (in the scope's queue). */
  readonly preferences: PreferenceService;
  readonly #search: MemorySearch;
  readonly #options: MemoryServiceOptions;
  readonly #queues = new Map<string, Promise<void>>();
  /** Whole knowledge lists by scope and revisions (see `wholeKnowledge`). */
  readonly #wholeKnowledge = new Map<string, readonly string[]>();
  #embeddingModel: Promise<EmbeddingModel | null> | undefined;

  constructor(options: MemoryServiceOptions) {
    this.#options = options;
    this.store = new MemoryStore(options.db);
    const cache = new MemoryScopeCache(this.store, {
      dimensions: options.dimensions ?? 384,
      ...(options.cacheBytes === undefined ? {} : { maxBytes: options.cacheBytes }),
    });
    this.#search = new MemorySearch(this.store, cache);
    this.preferences = new PreferenceService(
      this.store,
      (scope, task) => this.#enqueue(scope, task),
      () => this.enabled,
    );
  }

  get enabled(): boolean {
    return this.#options.enabled ?? true;
  }

  get extractorName(): string {
    return this.#options.extractor?.name ?? 'none';
  }

  /** The embedding model, loaded once; null when it cannot load (keyword search still works). */
  embeddingModel(): Promise<EmbeddingModel | null> {
    this.#embeddingModel ??= this.#options.embeddings().catch((error: unknown) => {
      this.#options.log?.('Loading the embedding model failed; memory search uses keywords only', error);
      return null;
    });
    return this.#embeddingModel;
  }

  /** The text's vector; null without a model, or when embedding fails (logged): keywords still work. */
  async embed(text: string): Promise<Float32Array | null> {
    const model = await this.embeddingModel();
    if (!model) return null;
    try {
      const [vector] = await model.embed([text]);
      return vector ?? null;
    } catch (error) {
      this.#options.log?.('Embedding a text failed; this search uses keywords only', error);
      return null;
    }
  }

  /**
   * Queues the turn for remembering and resolves once it is stored (callers on the reply path
   * do not wait). Nothing is stored while the visitor has paused memory.
   */
  remember(turn: TurnToRemember): Promise<void> {
    if (!this.enabled) return Promise.resolve();
    return this.#enqueue(turn.scope, () => this.#remember(turn));
  }

  /** Resolves when every queued turn of the scope (or of all scopes) is stored. */
  async idle(scope?: MemoryScope): Promise<void> {
    if (scope) await this.#queues.get(keyOf(scope));
    else await Promise.all(this.#queues.values());
  }

  /** The memories that best fit the query, for a reply's context; none while memory is paused. */
  async retrieve(scope: MemoryScope, query: SearchQuery, options: SearchOptions): Promise<RetrievedMemory[]> {
    const states = await this.store.states(readableScopes(scope));
    if (states[0]!.paused) return [];
    return this.#search.search(scope, query, { ...options, states });
  }

  /**
   * What a reply's context needs, with one read of the scopes: the visitor's best memories for
   * the query and their preference profile (none while they have paused memory, or with memory
   * off), and the best of the avatar's and tenant's knowledge (searched in any case: it is about
   * the site, not the visitor).
   */
  async contextFor(scope: MemoryScope, query: SearchQuery, options: ContextSearchOptions): Promise<RecalledContext> {
    const scopes = readableScopes(scope);
    const states = await this.store.states(scopes);
    const state = states[0]!;
    const knowledgeK = options.knowledge ?? 4;
    const knowledge =
      knowledgeK > 0 && states.slice(1).some((each) => each.revision > 0)
        ? await this.#search.search(scopes[1]!, query, { ...options, k: knowledgeK, states: states.slice(1) })
        : [];
    const wholeKnowledge = options.wholeKnowledgeUpTo
      ? await this.wholeKnowledge(scope, options.wholeKnowledgeUpTo, states.slice(1))
      : undefined;
    if (!this.enabled || state.paused) {
      return { memories: [], knowledge, wholeKnowledge, preferences: null, paused: this.enabled && state.paused };
    }
    const memories = await this.#search.search(scope, query, { ...options, states, ownOnly: true });
    const preferences = state.preferences
      ? { ...EMPTY_PREFERENCES, ...(state.preferences as Partial<PreferenceProfile>) }
      : null;
    return { memories, knowledge, wholeKnowledge, preferences, paused: false };
  }

  /**
   * All of the avatar's and tenant's knowledge, the avatar's first and each in the order it was
   * added, or undefined when it holds more than `limit` entries. Read again only when it changed.
   */
  async wholeKnowledge(
    scope: MemoryScope,
    limit: number,
    states?: readonly ScopeState[],
  ): Promise<readonly string[] | undefined> {
    const scopes = readableScopes(scope).slice(1);
    const known = states ?? (await this.store.states(scopes));
    const key = `${keyOf(scopes[0] ?? scope)}\u0000${known.map((state) => `${state.epoch}.${state.revision}`).join('/')}`;
    let texts = this.#wholeKnowledge.get(key);
    if (!texts) {
      const lists = await Promise.all(
        scopes.map((each, index) =>
          known[index]!.revision > 0 ? this.store.list(each, { kinds: ['fact'], limit: 501 }) : [],
        ),
      );
      texts = lists.flatMap((list) => list.map((entry) => entry.text).reverse());
      if (this.#wholeKnowledge.size >= 256) this.#wholeKnowledge.delete(this.#wholeKnowledge.keys().next().value!);
      this.#wholeKnowledge.set(key, texts);
    }
    return texts.length <= limit ? texts : undefined;
  }

  /** The avatar's and tenant's knowledge that best fits the query (contact details, say). */
  async knowledge(scope: MemoryScope, query: SearchQuery, k: number): Promise<RetrievedMemory[]> {
    return this.#search.search(readableScopes(scope)[1] ?? scope, query, { k });
  }

  /**
   * The visitor's newest facts (for "what do you remember about me?", which no search matches):
   * none while memory is off or paused.
   */
  async recentFacts(scope: MemoryScope, limit: number): Promise<RetrievedMemory[]> {
    if (!this.enabled || (await this.store.state(scope)).paused) return [];
    const facts = await this.store.list(scope, { kinds: ['fact'], limit });
    return facts.map((fact) => ({
      id: fact.id,
      kind: fact.kind,
      category: fact.category,
      text: fact.text,
      importance: fact.importance,
      sourceMessageIds: fact.sourceMessageIds,
      occurredAt: fact.occurredAt,
      score: fact.importance,
    }));
  }

  /**
   * Retires the episodes and facts drawn from these messages (a reply written again, an edited
   * message): the new version is remembered when its turn ends.
   */
  forgetMessages(scope: MemoryScope, messageIds: readonly string[]): Promise<void> {
    return this.#enqueue(scope, async () => {
      await this.store.retireBySource(scope, messageIds, {
        actor: 'extractor',
        reason: 'Its message was written again',
      });
    });
  }

  /** Search without the pause check (benchmarks, admin tools). */
  search(scope: MemoryScope, query: SearchQuery, options: SearchOptions): Promise<RetrievedMemory[]> {
    return this.#search.search(scope, query, options);
  }

  async isPaused(scope: MemoryScope): Promise<boolean> {
    return (await this.store.state(scope)).paused;
  }

  async list(scope: MemoryScope): Promise<{ memories: Memory[]; paused: boolean }> {
    const [memories, state] = await Promise.all([this.store.list(scope), this.store.state(scope)]);
    return { memories: await withConversations(this.#options.db, memories.map(publicMemory)), paused: state.paused };
  }

  /** A memory the visitor (or, for tenant knowledge, an admin) wrote. */
  async create(
    scope: MemoryScope,
    request: CreateMemoryRequest,
    actor: 'visitor' | 'admin' = 'visitor',
  ): Promise<Memory> {
    const memory = await this.store.insert(
      scope,
      await this.#fact(
        { text: request.text, category: request.category ?? 'other', importance: 0.8, sourceMessageIds: [] },
        new Date(),
      ),
      { actor, reason: actor === 'visitor' ? 'Added by the visitor' : 'Added by an admin' },
    );
    return publicMemory(memory);
  }

  async update(scope: MemoryScope, id: string, request: UpdateMemoryRequest): Promise<Memory | null> {
    const embedding = await this.embed(request.text);
    const memory = await this.store.update(
      scope,
      id,
      {
        text: request.text,
        searchText: request.text,
        embedding,
        embeddingModel: embedding ? ((await this.embeddingModel())?.id ?? null) : null,
        ...(request.category ? { category: request.category } : {}),
        // The visitor's word now, not what those messages said (its history keeps them): search
        // neither ranks it among the facts drawn from messages nor drops it for the episode it came
        // from, which still says the old thing.
        ownSources: [],
      },
      { actor: 'visitor', reason: 'Edited by the visitor' },
    );
    return memory ? publicMemory(memory) : null;
  }

  /** Erases the memory and its history at once: it is gone from the next search. */
  delete(scope: MemoryScope, id: string): Promise<boolean> {
    return this.store.erase(scope, id);
  }

  /** Erases every memory of the visitor (after any turn still being remembered). */
  async forgetAll(scope: MemoryScope): Promise<number> {
    await this.idle(scope);
    return this.store.eraseAll(scope);
  }

  history(scope: MemoryScope, id: string): Promise<MemoryChange[] | null> {
    return this.store.history(scope, id);
  }

  setPaused(scope: MemoryScope, paused: boolean): Promise<void> {
    return this.store.setPaused(scope, paused);
  }

  async #remember(turn: TurnToRemember): Promise<void> {
    const state = await this.store.state(turn.scope);
    if (state.paused) return;
    const visitor = turn.names?.visitor ?? 'Visitor';
    const avatar = turn.names?.avatar ?? 'Avatar';
    const lines: Array<{ role: 'user' | 'assistant'; content: string }> = [
      ...(turn.lead ?? []).map((message) => ({ role: 'assistant' as const, content: message.content })),
      { role: 'user', content: turn.user.content },
      ...(turn.assistant ? [{ role: 'assistant' as const, content: turn.assistant.content }] : []),
    ];
    const before = (turn.previous ?? []).slice(-CONTEXT_MESSAGES);
    const context = [...before.map((m) => ({ role: m.role, content: m.content })), ...lines];
    const said = (line: { role: 'user' | 'assistant'; content: string }) =>
      `${line.role === 'user' ? visitor : avatar}: ${line.content}`;
    const transcript = lines.map(said);
    // Keywords without the speakers' names (on every line, they would match every episode);
    // the embedding keeps who said what.
    const searchText = context.map((line) => line.content).join('\n');
    const occurredAt = new Date(turn.user.createdAt);
    const sources = [
      ...(turn.lead ?? []).map((message) => message.id),
      turn.user.id,
      ...(turn.assistant ? [turn.assistant.id] : []),
    ];
    const embedding = await this.embed(context.map(said).join('\n'));
    await this.store.insert(
      turn.scope,
      {
        kind: 'episode',
        category: 'event',
        text: truncate(transcript.join('\n'), EPISODE_DISPLAY_CHARS),
        searchText,
        importance: 0.3,
        sourceMessageIds: sources,
        occurredAt,
        embedding,
        embeddingModel: embedding ? ((await this.embeddingModel())?.id ?? null) : null,
      },
      { actor: 'extractor', reason: 'The conversation, kept as it was said' },
    );
    const extractor = this.#options.extractor;
    if (!extractor) return;
    const extraction: ExtractionTurn = {
      userMessage: turn.user,
      ...(turn.assistant ? { assistantMessage: turn.assistant } : {}),
      recent: turn.previous ?? [],
      ...(turn.names?.visitor ? { visitorName: turn.names.visitor } : {}),
      scope: turn.scope,
    };
    const decisions = await extractor.extract(extraction, (texts) => this.#similarFacts(turn.scope, texts));
    for (const decision of decisions) await this.#apply(turn.scope, decision, occurredAt);
  }

  /** Facts of the scope most similar to any of the texts (cosine), for the extractor. */
  async #similarFacts(scope: MemoryScope, texts: string[]): Promise<ExistingMemory[]> {
    const best = new Map<string, ExistingMemory>();
    for (const text of texts) {
      const vector = await this.embed(text);
      const hits = await this.#search.search(
        scope,
        { text, vector },
        // Plain BM25 for the words: a fact's date is what it says, not a time to search, and
        // feedback would widen a lookup meant to find the facts this one may change.
        {
          k: 30,
          weights: { keyword: vector ? 0.5 : 1, importance: 0, recency: 0, feedback: 0, date: 0 },
          collapseSources: false,
        },
      );
      // The extractor compares facts with facts (the stored vector of a fact is its text's).
      const facts = hits.filter((hit) => hit.kind === 'fact').slice(0, 10);
      const own = await this.#search.similarity(
        scope,
        facts.map((fact) => fact.id),
        vector,
      );
      for (const fact of facts) {
        // Only the visitor's own facts: tenant knowledge is not the extractor's to change.
        const score = own.get(fact.id);
        if (score === undefined) continue;
        const existing = best.get(fact.id);
        if (!existing || existing.score < score) {
          best.set(fact.id, {
            id: fact.id,
            text: fact.text,
            category: fact.category,
            importance: fact.importance,
            score,
          });
        }
      }
    }
    return [...best.values()].sort((a, b) => b.score - a.score).slice(0, 10);
  }

  async #apply(scope: MemoryScope, decision: MemoryDecision, occurredAt: Date): Promise<void> {
    const note = { actor: 'extractor' as const, reason: decision.reason, sourceMessageIds: decision.sourceMessageIds };
    if (decision.event === 'add') {
      await this.store.insert(scope, await this.#fact(decision, occurredAt), note);
    } else if (decision.event === 'update') {
      const fact = await this.#fact(decision, occurredAt);
      await this.store.update(
        scope,
        decision.id,
        {
          text: fact.text,
          searchText: fact.searchText,
          embedding: fact.embedding,
          embeddingModel: fact.embeddingModel,
          category: fact.category,
          importance: fact.importance,
          sourceMessageIds: fact.sourceMessageIds,
        },
        note,
      );
    } else {
      await this.store.retire(scope, decision.id, note);
    }
  }

  /**
   * A fact ready to store. Search reads `searchText` when the fact has one (the heuristic
   * extractor's wording of the visitor, "Priya is allergic to walnuts"), for keywords and for
   * its embedding; the visitor and the prompt see `text` ("You're allergic to walnuts").
   */
  async #fact(
    fact: {
      text: string;
      searchText?: string;
      category: NewMemory['category'];
      importance: number;
      sourceMessageIds: string[];
    },
    occurredAt: Date,
  ): Promise<NewMemory> {
    const { text, category, importance, sourceMessageIds } = fact;
    const searchText = fact.searchText ?? text;
    const embedding = await this.embed(searchText);
    return {
      kind: 'fact',
      category,
      text,
      searchText,
      importance,
      sourceMessageIds,
      occurredAt,
      embedding,
      embeddingModel: embedding ? ((await this.embeddingModel())?.id ?? null) : null,
    };
  }

  #enqueue(scope: MemoryScope, task: () => Promise<void>): Promise<void> {
    const key = keyOf(scope);
    const previous = this.#queues.get(key) ?? Promise.resolve();
    const next = previous.then(task).catch((error: unknown) => this.#options.log?.('Remembering a turn failed', error));
    this.#queues.set(key, next);
    void next.then(() => {
      if (this.#queues.get(key) === next) this.#queues.delete(key);
    });
    return next;
  }
}

export function publicMemory(memory: StoredMemory): Memory {
  return {
    id: memory.id,
    kind: memory.kind,
    category: memory.category,
    text: memory.text,
    importance: memory.importance,
    sourceMessageIds: memory.sourceMessageIds,
    scope: memory.scope,
    createdAt: memory.createdAt,
    updatedAt: memory.updatedAt,
  };
}

function keyOf(scope: MemoryScope): string {
  return `${scope.tenantId}\n${scope.avatarId}\n${scope.visitorId}`;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
