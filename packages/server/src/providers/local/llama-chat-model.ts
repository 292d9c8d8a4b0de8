import type {
  ChatHistoryItem,
  Llama,
  LlamaChat,
  LlamaContext,
  LlamaContextSequence,
  LlamaGrammar,
  LlamaModel,
} from 'node-llama-cpp';

type LlamaCppModule = typeof import('node-llama-cpp'); // eslint-disable-line @typescript-eslint/consistent-type-imports -- the module is loaded lazily
import {
  ModelError,
  type ChatModel,
  type ChatPromptMessage,
  type ChatStreamOptions,
  type ModelStreamPart,
} from '../chat-model.js';
import { AsyncQueue } from './async-queue.js';
import { jsonSchemaToGbnf } from './json-schema-grammar.js';
import type { GenerationSettings } from './model-catalog.js';

export interface LlamaChatModelOptions {
  modelPath: string;
  /** A readable id for the ledger and /health. */
  modelId: string;
  /** Tokens of context per conversation slot. Default 4096. */
  contextSize?: number;
  /** Conversations whose KV cache is kept warm at once. Default 4. */
  slots?: number;
  /** CPU threads; default: the machine's math cores (more threads than cores is much slower). */
  threads?: number;
  /** How replies are sampled (the catalog's settings for the model); a request's `temperature` wins. */
  generation?: GenerationSettings;
  /** Tokens one reply may have at most, whatever a request asks for (a slow machine, or tests). */
  maxOutputTokens?: number;
  /** Fixes the sampler's random seed, so the same prompt gets the same reply (benchmarks). Default: random. */
  seed?: number;
}

const DEFAULT_GENERATION: GenerationSettings = {
  temperature: 0.7,
  topP: 0.9,
  repeatPenalty: 1.1,
  repeatLastTokens: 64,
};

interface Slot {
  sequence: LlamaContextSequence;
  chat: LlamaChat;
  key: string | undefined;
  /** The first message of the prompt the slot last read: a new conversation that begins the same way reuses it. */
  head: string | undefined;
  lastUsed: number;
  /** Generations and warm-ups queued or running on the slot. */
  busy: number;
  /** Serialises generations on this slot. */
  tail: Promise<void>;
}

/**
 * The embedded local model, run in-process with node-llama-cpp. Each conversation gets a slot
 * (a context sequence) that keeps its KV cache between turns, so a follow-up only evaluates the
 * new tokens; the least recently used slot is recycled when all are taken.
 */
export class LlamaChatModel implements ChatModel {
  readonly provider = 'local';
  readonly modelId: string;
  /** Structured replies through a grammar compiled from the JSON schema. */
  readonly structuredOutput = true;
  /** A small model on a CPU: short prompts, plain replies (see `ChatModel.promptStyle`). */
  readonly promptStyle = 'compact';
  readonly #grammars = new Map<string, Promise<LlamaGrammar>>();
  /** Generations in progress, stopped by close(). */
  readonly #running = new Set<AbortController>();
  readonly #llama: Llama;
  readonly #model: LlamaModel;
  readonly #context: LlamaContext;
  readonly #slots: Slot[];
  readonly #chatModule: LlamaCppModule;
  readonly #generation: GenerationSettings;
  readonly #maxOutputTokens: number;
  readonly #seed: number | undefined;

  private constructor(init: {
    generation: GenerationSettings;
    maxOutputTokens: number;
    seed: number | undefined;
    modelId: string;
    llama: Llama;
    model: LlamaModel;
    context: LlamaContext;
    slots: Slot[];
    chatModule: LlamaCppModule;
  }) {
    this.modelId = init.modelId;
    this.#llama = init.llama;
    this.#model = init.model;
    this.#context = init.context;
    this.#slots = init.slots;
    this.#chatModule = init.chatModule;
    this.#generation = init.generation;
    this.#maxOutputTokens = init.maxOutputTokens;
    this.#seed = init.seed;
  }

  static async load(options: LlamaChatModelOptions): Promise<LlamaChatModel> {
    // Loaded lazily so a server on a hosted provider never pays for the native addon.
    const llamaCpp = await import('node-llama-cpp');
    const llama = await llamaCpp.getLlama({ build: 'never', gpu: 'auto', logLevel: llamaCpp.LlamaLogLevel.error });
    const model = await llama.loadModel({ modelPath: options.modelPath });
    const slotCount = options.slots ?? 4;
    const context = await model.createContext({
      contextSize: options.contextSize ?? 4096,
      sequences: slotCount,
      threads: options.threads ?? Math.max(1, llama.cpuMathCores),
    });
    const slots: Slot[] = [];
    for (let i = 0; i < slotCount; i++) {
      const sequence = context.getSequence();
      slots.push({
        sequence,
        chat: new llamaCpp.LlamaChat({ contextSequence: sequence }),
        key: undefined,
        head: undefined,
        lastUsed: 0,
        busy: 0,
        tail: Promise.resolve(),
      });
    }
    return new LlamaChatModel({
      modelId: options.modelId,
      llama,
      model,
      context,
      slots,
      chatModule: llamaCpp,
      generation: options.generation ?? DEFAULT_GENERATION,
      maxOutputTokens: options.maxOutputTokens ?? Infinity,
      seed: options.seed,
    });
  }

  /** Tokens per conversation slot: what one prompt and its reply must fit in. */
  get contextWindow(): number {
    return this.#context.contextSize;
  }

  /**
   * Tokens in `text` by this model's tokenizer (special-token text such as `<|im_end|>` counts as
   * plain text, as it is sent). Once the model is closed, an estimate of 3.5 characters a token.
   */
  countTokens(text: string): number {
    if (this.#model.disposed) return Math.ceil(text.length / 3.5);
    return this.#model.tokenize(text).length;
  }

  async *stream(options: ChatStreamOptions): AsyncGenerator<ModelStreamPart> {
    const slot = this.#slotFor(options.conversationKey, options.messages);
    const release = this.#take(slot);
    let warmUp: (() => Promise<void>) | undefined;
    try {
      await release.ready;
      warmUp = yield* this.#generate(slot, options);
    } finally {
      slot.lastUsed = performance.now();
      // The slot stays taken while the next turn's prefix loads in the background.
      if (warmUp) void warmUp().finally(release.done);
      else release.done();
    }
  }

  /**
   * Reads a conversation's first messages (the avatar's system message) into a slot while the
   * visitor writes, so the first reply only reads the rest. A slot that already begins with them
   * is left as it is.
   */
  async prepare(options: { messages: readonly ChatPromptMessage[]; conversationKey?: string }): Promise<void> {
    const slot = this.#slotFor(options.conversationKey, options.messages);
    const release = this.#take(slot);
    try {
      await release.ready;
      await this.#warmUp(slot, options.messages)();
    } finally {
      release.done();
    }
  }

  /** Queues work on a slot: `ready` once the work before it is done; `done` when this work is. */
  #take(slot: Slot): { ready: Promise<void>; done: () => void } {
    const previous = slot.tail;
    let done!: () => void;
    slot.busy++;
    slot.tail = new Promise<void>((resolve) => (done = resolve)).finally(() => slot.busy--);
    return { ready: previous, done };
  }

  /**
   * Loads the next turn's prefix into the slot's KV cache as the model's tokenizer writes it.
   * Text generated under a grammar is often split into different tokens than the same text
   * tokenized afresh, so without this the next turn would re-read the whole last reply.
   */
  #warmUp(slot: Slot, prefix: ChatStreamOptions['messages']): () => Promise<void> {
    slot.head = prefix[0]?.content;
    return async () => {
      const stop = new AbortController();
      this.#running.add(stop);
      try {
        await slot.chat.loadChatAndCompleteUserMessage(toChatHistory(prefix), {
          initialUserPrompt: '',
          maxTokens: 0,
          signal: stop.signal,
          stopOnAbortSignal: true,
        });
      } catch {
        // Only an optimisation: the next turn evaluates whatever is missing.
      } finally {
        this.#running.delete(stop);
      }
    };
  }

  /** Grammars are compiled once per format name. */
  #grammarFor(format: NonNullable<ChatStreamOptions['responseFormat']>): Promise<LlamaGrammar> {
    let grammar = this.#grammars.get(format.name);
    if (!grammar) {
      grammar = this.#llama.createGrammar({ grammar: jsonSchemaToGbnf(format.schema) });
      this.#grammars.set(format.name, grammar);
    }
    return grammar;
  }

  /** Streams one reply; returns the warm-up of the next turn's prefix when there is one to do. */
  async *#generate(
    slot: Slot,
    options: ChatStreamOptions,
  ): AsyncGenerator<ModelStreamPart, (() => Promise<void>) | undefined> {
    const grammar = options.responseFormat ? await this.#grammarFor(options.responseFormat) : undefined;
    const queue = new AsyncQueue<string>();
    const meter = slot.sequence.tokenMeter.getState();
    // Our own signal: stopped by the caller's, by a consumer that leaves early, or by close().
    const stop = new AbortController();
    const onAbort = () => stop.abort();
    options.signal.addEventListener('abort', onAbort, { once: true });
    if (options.signal.aborted) stop.abort();
    this.#running.add(stop);
    const generation = slot.chat
      .generateResponse(toChatHistory(options.messages), {
        signal: stop.signal,
        stopOnAbortSignal: true,
        maxTokens: Math.min(options.maxOutputTokens ?? 512, this.#maxOutputTokens),
        temperature: options.temperature ?? this.#generation.temperature,
        ...(this.#seed === undefined ? {} : { seed: this.#seed }),
        topP: this.#generation.topP,
        repeatPenalty: { penalty: this.#generation.repeatPenalty, lastTokens: this.#generation.repeatLastTokens },
        ...(grammar ? { grammar } : {}),
        ...(options.stop?.length ? { customStopTriggers: [...options.stop] } : {}),
        onTextChunk: (text) => queue.push(text),
      })
      .then(
        (result) => {
          queue.close();
          return result;
        },
        (error: unknown) => {
          // Surfaced through the queue; settling here keeps an abandoned generation from
          // becoming an unhandled rejection.
          queue.close(error);
          return undefined;
        },
      );
    try {
      try {
        for await (const delta of queue) yield { type: 'text-delta', delta };
      } catch (error) {
        if (options.signal.aborted) return undefined;
        throw new ModelError('upstream_error', `The local model failed: ${String(error)}`, { cause: error });
      }
      const result = await generation;
      const used = this.#chatModule.TokenMeter.diff(slot.sequence.tokenMeter, meter);
      const promptTokens = Math.max(0, slot.sequence.contextTokens.length - used.usedOutputTokens);
      yield {
        type: 'usage',
        inputTokens: promptTokens,
        outputTokens: used.usedOutputTokens,
        cachedInputTokens: Math.max(0, promptTokens - used.usedInputTokens),
      };
      if (!options.signal.aborted && result) {
        yield { type: 'finish', finishReason: result.metadata.stopReason === 'maxTokens' ? 'length' : 'stop' };
        if (options.nextTurnPrefix) return this.#warmUp(slot, options.nextTurnPrefix(result.response));
      }
      return undefined;
    } finally {
      // A consumer that stopped reading stops the model too; the slot is only released once the
      // model has stopped writing into it.
      stop.abort();
      await generation;
      this.#running.delete(stop);
      options.signal.removeEventListener('abort', onAbort);
    }
  }

  /**
   * The conversation's own slot, or one to recycle: an idle slot whose prompt began with the same
   * system message (its cache is reused up to where the prompts differ), else the least recently
   * used one.
   */
  #slotFor(key: string | undefined, messages: readonly ChatPromptMessage[]): Slot {
    const owned = key === undefined ? undefined : this.#slots.find((s) => s.key === key);
    if (owned) return owned;
    const head = messages[0]?.content;
    const idle = this.#slots.filter((s) => s.busy === 0);
    const sameHead = idle.filter((s) => head !== undefined && s.head === head);
    const candidates = sameHead.length > 0 ? sameHead : idle.length > 0 ? idle : this.#slots;
    const slot = candidates.reduce((a, b) => (b.lastUsed < a.lastUsed ? b : a));
    slot.key = key;
    slot.head = head;
    slot.lastUsed = performance.now();
    return slot;
  }

  async health(): Promise<{ ok: boolean; detail?: string }> {
    return { ok: !this.#model.disposed, detail: `${this.modelId} on ${this.#llama.gpu || 'cpu'}` };
  }

  async close(): Promise<void> {
    // Stop what is generating and wait for every slot to be free before freeing the memory.
    for (const generation of this.#running) generation.abort();
    await Promise.all(this.#slots.map((slot) => slot.tail));
    await this.#context.dispose();
    await this.#model.dispose();
  }
}

function toChatHistory(messages: ChatStreamOptions['messages']): ChatHistoryItem[] {
  return messages.map((m): ChatHistoryItem => {
    switch (m.role) {
      case 'system':
        return { type: 'system', text: m.content };
      case 'user':
        return { type: 'user', text: m.content };
      case 'assistant':
        return { type: 'model', response: [m.content] };
    }
  });
}
