import type { ChatModel, ChatStreamOptions, ModelStreamPart } from '../chat-model.js';

/**
 * Streams a fixed text as if a model had written it: the polite reply an avatar gives when its
 * budget is used up, with no upstream call and no cost.
 */
export class ScriptedChatModel implements ChatModel {
  readonly provider = 'vibhava';
  readonly modelId = 'scripted';

  constructor(private readonly text: string) {}

  async *stream(options: ChatStreamOptions): AsyncGenerator<ModelStreamPart> {
    for (const word of this.text.split(/(?<= )/)) {
      if (options.signal.aborted) return;
      yield { type: 'text-delta', delta: word };
    }
    yield { type: 'usage', inputTokens: 0, outputTokens: 0 };
    yield { type: 'finish', finishReason: 'stop' };
  }

  async health(): Promise<{ ok: boolean }> {
    return { ok: true };
  }
}
