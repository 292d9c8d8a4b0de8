import type { Hook } from '@hono/zod-openapi';
import { ApiError } from './api-error.js';
import type { AppEnv } from './env.js';

/** Turns zod failures from request validation into one readable 400. */
export const validationHook: Hook<unknown, AppEnv, string, unknown> = (result) => {
  if (result.success) return;
  const issues = result.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`);
  throw new ApiError(400, 'invalid_request', `Invalid request: ${issues.join('; ')}`);
};
