import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import type { ChatModel, ChatPromptMessage } from '../providers/chat-model.js';

/** Tokens in a text, by some model's tokenizer. */
export type TokenCounter = (text: string) => number;

/**
 * What a message costs beyond its text: the chat template's role header and separators.
 * OpenAI's cookbook counts 3 per message for gpt-4o (4 for older models); ChatML templates such
 * as the local Qwen model's spend 5 (`<|im_start|>`, the role, `\n`, `<|im_end|>`, `\n`). We count
 * 5 so budget checks stay on the safe side for both.
 */
export const MESSAGE_OVERHEAD_TOKENS = 5;
/** Every reply is primed with `<|im_start|>assistant\n` (or OpenAI's equivalent): 3 tokens. */
export const REPLY_PRIMING_TOKENS = 3;

/** Special-token text (`<|endoftext|>`) in a message counts as the plain text providers see. */
const PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

/** o200k_base, the encoding of gpt-4o and gpt-4o-mini: the fallback for models that cannot count. */
export const countO200kTokens: TokenCounter = (text) => countTokens(text, PLAIN_TEXT);

/** Remembers the counts of recent texts (the system prefix and history are counted every turn). */
export function cachedCounter(counter: TokenCounter, size = 8192): TokenCounter {
  const counts = new Map<string, number>();
  return (text) => {
    const known = counts.get(text);
    if (known !== undefined) {
      // Map keeps insertion order: re-inserting marks the text as most recently used.
      counts.delete(text);
      counts.set(text, known);
      return known;
    }
    const count = counter(text);
    if (counts.size >= size) counts.delete(counts.keys().next().value!);
    counts.set(text, count);
    return count;
  };
}

const fallbackCounter = cachedCounter(countO200kTokens);
const counters = new WeakMap<ChatModel, TokenCounter>();

/** The model's own counter (cached per model), or o200k_base when the model cannot count. */
export function tokenCounterFor(model: ChatModel): TokenCounter {
  let counter = counters.get(model);
  if (!counter) {
    counter = model.countTokens ? cachedCounter((text) => model.countTokens!(text)) : fallbackCounter;
    counters.set(model, counter);
  }
  return counter;
}

/** Tokens one message costs in a prompt: its text and the template around it. */
export function messageTokens(counter: TokenCounter, content: string): number {
  return MESSAGE_OVERHEAD_TOKENS + counter(content);
}

/** Tokens a whole prompt costs, the reply priming included: what budgets are checked against. */
export function countMessages(counter: TokenCounter, messages: readonly ChatPromptMessage[]): number {
  return messages.reduce((sum, message) => sum + messageTokens(counter, message.content), REPLY_PRIMING_TOKENS);
}

const SENTENCE_END = /[.!?…。！？](?=["'”’)\]]*(\s|$))/g;

/**
 * The longest start of `text` within `maxTokens`, cut after its last complete sentence (else at a
 * word, marked with `…`). `text` itself when it fits; `''` when nothing does.
 */
export function truncateToTokens(text: string, maxTokens: number, counter: TokenCounter): string {
  if (counter(text) <= maxTokens) return text;
  if (maxTokens <= 0) return '';
  // Counts grow with length, so a binary search over characters finds the longest fitting start.
  let low = 0;
  let high = text.length;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (counter(text.slice(0, middle)) <= maxTokens) low = middle;
    else high = middle - 1;
  }
  // Never split a surrogate pair.
  if (low > 0 && /[\uD800-\uDBFF]/.test(text.charAt(low - 1))) low -= 1;
  const fitting = text.slice(0, low);
  let sentenceEnd = 0;
  for (const match of fitting.matchAll(SENTENCE_END)) sentenceEnd = match.index + match[0].length;
  const space = fitting.lastIndexOf(' ');
  const cut =
    sentenceEnd > 0 ? fitting.slice(0, sentenceEnd) : space > 0 ? `${fitting.slice(0, space).trimEnd()}…` : fitting;
  // A shorter text almost always costs fewer tokens; when BPE disagrees, the checked start wins.
  return counter(cut) <= maxTokens ? cut : fitting;
}
