import type { ChatModel } from '../providers/chat-model.js';

/**
 * The input tokens a turn may send at most, even to a 128k model: cost and time to first token
 * grow with every token of input, and an avatar's small talk rarely needs more.
 */
export const DEFAULT_MAX_INPUT_TOKENS = 8192;
/** Assumed for a model that does not say its window: small enough for most chat models. */
export const DEFAULT_CONTEXT_WINDOW = 4096;

export interface ContextBudgetOptions {
  /** The model's context window in tokens (prompt and reply together). */
  contextWindow: number;
  /** Tokens kept free for the reply. */
  maxOutputTokens: number;
  /**
   * Tokens kept free for the tokenizer's error and template details. Default: 2% of the window,
   * at least 64.
   */
  reserve?: number;
  /** A cap on the input whatever the window. Default `DEFAULT_MAX_INPUT_TOKENS`. */
  maxInputTokens?: number;
}

/** Input tokens a prompt may use: the window less the reply and a reserve, under the cap (never negative). */
export function contextBudget(options: ContextBudgetOptions): number {
  const reserve = options.reserve ?? Math.max(64, Math.ceil(options.contextWindow * 0.02));
  const room = options.contextWindow - options.maxOutputTokens - reserve;
  return Math.max(0, Math.floor(Math.min(room, options.maxInputTokens ?? DEFAULT_MAX_INPUT_TOKENS)));
}

/** `contextBudget` for a model, with `DEFAULT_CONTEXT_WINDOW` when the model does not say its own. */
export function contextBudgetFor(model: ChatModel, options: Omit<ContextBudgetOptions, 'contextWindow'>): number {
  return contextBudget({ ...options, contextWindow: model.contextWindow ?? DEFAULT_CONTEXT_WINDOW });
}
