export {
  cachedCounter,
  countMessages,
  countO200kTokens,
  MESSAGE_OVERHEAD_TOKENS,
  messageTokens,
  REPLY_PRIMING_TOKENS,
  tokenCounterFor,
  truncateToTokens,
  type TokenCounter,
} from './token-counter.js';
export {
  contextBudget,
  contextBudgetFor,
  DEFAULT_CONTEXT_WINDOW,
  DEFAULT_MAX_INPUT_TOKENS,
  type ContextBudgetOptions,
} from './context-budget.js';
export {
  buildContext,
  type BuildContextInput,
  type BuiltContext,
  type ContextBuildTrace,
  type ContextHistoryMessage,
  type ContextMemory,
} from './context-builder.js';
export { selectTurnsToSummarize, summarizeTurns, type SummarizeTurnsOptions, type SummaryTurn } from './summarizer.js';
