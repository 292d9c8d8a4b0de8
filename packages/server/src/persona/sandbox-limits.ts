/** The sandbox's budgets. Real system templates use a tiny fraction of each. */
export const SANDBOX_LIMITS = {
  /** Longest template source accepted. */
  templateChars: 20_000,
  /** Wall-clock budget per render, checked by liquidjs before each node. */
  renderMs: 100,
  /** liquidjs's count of allocations in loops and memory-hungry filters. */
  memory: 1_000_000,
  /** Longest rendered system message. */
  outputChars: 100_000,
} as const;
