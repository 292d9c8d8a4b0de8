import type { VisitorClaims } from '../auth/visitor-token.js';

/** Typed `c.var` for every route. */
export interface AppEnv {
  Variables: {
    visitor: VisitorClaims;
  };
}
