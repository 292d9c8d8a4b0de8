import type {
  PreferenceChange,
  PreferenceProfile,
  PreferencesResponse,
  UpdatePreferencesRequest,
} from '@vibhava/protocol';
import type { MemoryScope } from './memory-scope.js';
import type { MemoryStore } from './memory-store.js';
import { applyVisitorEdit, EMPTY_PREFERENCES, learnFromFeedback, learnFromMessage } from './preference-learner.js';

type Learned = { profile: PreferenceProfile; changes: PreferenceChange[] };

/**
 * A visitor's preference profile (reply length, formality, language, likes, dislikes, things to
 * avoid) with its change log: learned from messages and feedback in the scope's memory queue,
 * after the turn it came from, and edited by the visitor.
 */
export class PreferenceService {
  constructor(
    private readonly store: MemoryStore,
    private readonly enqueue: (scope: MemoryScope, task: () => Promise<void>) => Promise<void>,
    private readonly enabled: () => boolean,
  ) {}

  async get(scope: MemoryScope): Promise<PreferencesResponse> {
    const [state, history] = await Promise.all([this.store.state(scope), this.store.preferenceHistory(scope)]);
    return {
      preferences: profileOf(state.preferences),
      history: history.map((row) => ({
        field: row['field'] as PreferenceChange['field'],
        before: parseJson(row['before']),
        after: parseJson(row['after']),
        source: row['source'] as PreferenceChange['source'],
        reason: (row['reason'] as string | null) ?? null,
        at: new Date(Number(row['created_at'])).toISOString(),
      })),
    };
  }

  async edit(scope: MemoryScope, edit: UpdatePreferencesRequest): Promise<PreferencesResponse> {
    const current = profileOf((await this.store.state(scope)).preferences);
    const { profile, changes } = applyVisitorEdit(current, edit, new Date().toISOString());
    if (changes.length > 0) await this.store.savePreferences(scope, profile, changes);
    return this.get(scope);
  }

  /** Learns reply-length, formality, language and topic preferences from a visitor's message. */
  learnFromMessage(scope: MemoryScope, text: string, messageId: string): Promise<void> {
    return this.#learn(scope, messageId, (profile, at) => learnFromMessage(profile, text, at));
  }

  /** Learns from a thumbs up / down and its reason, with the conversation's recent reasons. */
  learnFromFeedback(
    scope: MemoryScope,
    vote: { rating: 'up' | 'down'; reason?: string; recentReasons: string[]; messageId: string },
  ): Promise<void> {
    const { messageId, ...evidence } = vote;
    return this.#learn(scope, messageId, (profile, at) => learnFromFeedback(profile, evidence, at));
  }

  /** Nothing is learned while memory is off or the visitor has paused it. */
  #learn(scope: MemoryScope, messageId: string, learn: (profile: PreferenceProfile, at: string) => Learned) {
    if (!this.enabled()) return Promise.resolve();
    return this.enqueue(scope, async () => {
      const state = await this.store.state(scope);
      if (state.paused) return;
      const { profile, changes } = learn(profileOf(state.preferences), new Date().toISOString());
      if (changes.length === 0) return;
      await this.store.savePreferences(
        scope,
        profile,
        changes.map((change) => ({ ...change, messageId })),
      );
    });
  }
}

function profileOf(stored: Record<string, unknown> | null): PreferenceProfile {
  return { ...EMPTY_PREFERENCES, ...(stored as Partial<PreferenceProfile> | null) };
}

function parseJson(value: unknown): unknown {
  if (typeof value !== 'string') return value ?? null;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}
