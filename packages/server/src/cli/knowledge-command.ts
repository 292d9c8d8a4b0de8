import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { and, eq } from 'drizzle-orm';
import type { Database } from '../db/database.js';
import { avatars, tenants } from '../db/schema.js';
import type { EmbeddingModel } from '../embeddings/embedding-model.js';
import { addKnowledge, parseKnowledgeFile } from '../knowledge/knowledge-file.js';
import { MemoryService } from '../memory/memory-service.js';
import type { MemoryScope } from '../memory/memory-store.js';
import { CliError } from './cli-error.js';

export interface KnowledgeArgs {
  tenant: string;
  /** One avatar's knowledge; without it, what every avatar of the tenant may draw on. */
  avatar?: string | undefined;
}

/**
 * Tenant knowledge from the command line, with the admin API's semantics
 * (`/admin/v1/tenants/:id/knowledge`): entries for every avatar of a tenant, or for one avatar.
 */
export class KnowledgeCommands {
  readonly #db: Database;
  readonly #memory: MemoryService;

  /** `embeddings`: the model the server searches with (null: the entries are found by keywords only). */
  constructor(db: Database, embeddings: EmbeddingModel | null) {
    this.#db = db;
    this.#memory = new MemoryService({ db, embeddings: () => Promise.resolve(embeddings), extractor: null });
  }

  /** Adds each list item of a Markdown file as one fact (those already there are skipped). */
  async add(file: string, args: KnowledgeArgs): Promise<{ added: number; known: number }> {
    const path = resolve(file);
    if (!existsSync(path)) throw new CliError(`${path} does not exist: give --file a Markdown file of facts.`);
    const facts = parseKnowledgeFile(await readFile(path, 'utf8'));
    if (facts.length === 0) {
      throw new CliError(`${path} has no facts: write one per list item ("- Open Monday to Friday, 8:00 to 18:00.").`);
    }
    return addKnowledge(this.#memory, await this.#scope(args), facts);
  }

  /** The tenant's entries: with `avatar`, that avatar's; else the tenant-wide ones and each avatar's. */
  async list(args: KnowledgeArgs): Promise<Array<{ avatar: string | null; id: string; text: string }>> {
    const entries = [];
    for (const scope of await this.#scopes(args)) {
      for (const entry of await this.#memory.store.list(scope, { kinds: ['fact'], limit: 10_000 })) {
        entries.push({ avatar: scope.avatarId || null, id: entry.id, text: entry.text });
      }
    }
    return entries;
  }

  /** Erases what `list` shows; returns how many entries went. */
  async clear(args: KnowledgeArgs): Promise<number> {
    let erased = 0;
    for (const scope of await this.#scopes(args)) erased += await this.#memory.forgetAll(scope);
    return erased;
  }

  async #scope(args: KnowledgeArgs): Promise<MemoryScope> {
    const [tenant] = await this.#db.select({ id: tenants.id }).from(tenants).where(eq(tenants.id, args.tenant));
    if (!tenant) {
      const known = (await this.#db.select({ id: tenants.id }).from(tenants)).map((t) => t.id);
      throw new CliError(
        `Unknown tenant "${args.tenant}" in this database (tenants: ${known.join(', ') || 'none yet; `vibhava start` creates tnt_demo'}).`,
      );
    }
    if (args.avatar) {
      const [avatar] = await this.#db
        .select({ id: avatars.id })
        .from(avatars)
        .where(and(eq(avatars.id, args.avatar), eq(avatars.tenantId, args.tenant)));
      if (!avatar) throw new CliError(`Tenant ${args.tenant} has no avatar "${args.avatar}".`);
    }
    return { tenantId: args.tenant, avatarId: args.avatar ?? '', visitorId: '' };
  }

  async #scopes(args: KnowledgeArgs): Promise<MemoryScope[]> {
    const scope = await this.#scope(args);
    if (args.avatar) return [scope];
    const owned = await this.#db.select({ id: avatars.id }).from(avatars).where(eq(avatars.tenantId, args.tenant));
    return [scope, ...owned.map((avatar) => ({ ...scope, avatarId: avatar.id }))];
  }
}
