import type { RateLimitStore } from './rate-limit-store.js';

export interface RateLimitSettings {
  store: RateLimitStore;
  /** Requests per minute (bursts of the same size). */
  sessionsPerIp: number;
  messagesPerVisitor: number;
  requestsPerIp: number;
  requestsPerKey: number;
}

export const defaultRateLimits = {
  sessionsPerIp: 30,
  messagesPerVisitor: 20,
  requestsPerIp: 120,
  requestsPerKey: 1200,
};
