import { Hono } from 'hono';
import type { Database } from '../db/database.js';
import { adminAuth } from './admin-auth.js';
import type { AdminEnv } from './admin-env.js';
import { authRoutes } from './routes/auth.js';
import { avatarRoutes } from './routes/avatars.js';
import { errorRoutes } from './routes/errors.js';
import { keyRoutes } from './routes/keys.js';
import { memoryRoutes } from './routes/memory.js';
import type { MemoryService } from '../memory/memory-service.js';
import { quotaRoutes } from './routes/quotas.js';
import { tenantRoutes } from './routes/tenants.js';
import { usageRoutes } from './routes/usage.js';

/** The admin API under `/admin/v1`: console sessions or secret keys, a permission on every route. */
export function adminApp(db: Database, memory: MemoryService) {
  const app = new Hono<AdminEnv>();
  app.route('/', authRoutes(db));
  app.use('/tenants', adminAuth(db));
  app.use('/tenants/*', adminAuth(db));
  app.route('/', tenantRoutes(db));
  app.route('/', keyRoutes(db));
  app.route('/', avatarRoutes(db));
  app.route('/', quotaRoutes(db));
  app.route('/', usageRoutes(db));
  app.route('/', errorRoutes(db));
  app.route('/', memoryRoutes(db, memory));
  return app;
}
