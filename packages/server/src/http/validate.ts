import type { ValidationTargets } from 'hono';
import { validator } from 'hono/validator';
import { z } from 'zod/mini';
import { ApiError } from './api-error.js';

/**
 * Validates one part of the request with a zod schema (the protocol's, or a route's own) and
 * hands the parsed value to the handler through `c.req.valid(target)`. Failures are one readable
 * 400 naming each field; a body that is not JSON is a 415.
 */
export function validate<Target extends keyof ValidationTargets, Schema extends z.core.$ZodType>(
  target: Target,
  schema: Schema,
) {
  const check = validator(target, (value): z.output<Schema> => {
    const result = z.safeParse(schema, value);
    if (result.success) return result.data;
    const issues = result.error.issues.map((issue) => `${issue.path.join('.') || target}: ${issue.message}`);
    throw new ApiError(400, 'invalid_request', `Invalid request: ${issues.join('; ')}`);
  });
  if (target !== 'json') return check;
  // Hono skips the JSON body when the media type is not JSON; say so instead of "field missing".
  const checkJson: typeof check = async (c, next) => {
    const type = c.req.header('content-type');
    if (type && !/^application\/([\w.-]+\+)?json\s*(;|$)/i.test(type)) {
      throw new ApiError(415, 'invalid_request', 'Send the body as JSON with Content-Type: application/json.');
    }
    return check(c, next);
  };
  return checkJson;
}
