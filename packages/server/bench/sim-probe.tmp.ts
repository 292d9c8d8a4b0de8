import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSharedEmbeddingModel } from '../src/embeddings/local-embedding-model.js';
import { parseKnowledgeFile } from '../src/knowledge/knowledge-file.js';
const dir = 'bench/data/replies';
const model = await loadSharedEmbeddingModel();
const split = (id: string) => (createHash('sha256').update(id).digest()[0]! % 2 === 0 ? 'tune' : 'report');
const want = process.argv[2] ?? 'tune';
const rows: { kind: string; top: number; say: string }[] = [];
for (const f of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
  const site = JSON.parse(readFileSync(join(dir, f), 'utf8'));
  const facts = parseKnowledgeFile(site.knowledge);
  const fv = await model.embed(facts);
  for (const c of site.conversations) {
    if (split(c.id) !== want) continue;
    for (const s of c.sessions) for (const t of s) {
      if (!t.expect || (t.expect.kind !== 'fact' && t.expect.kind !== 'unknown')) continue;
      const [q] = await model.embed([t.say]);
      let top = -1; for (const v of fv) { let d = 0; for (let i = 0; i < v.length; i++) d += v[i]! * q![i]!; top = Math.max(top, d); }
      rows.push({ kind: t.expect.kind, top, say: t.say });
    }
  }
}
rows.sort((a, b) => a.top - b.top);
for (const r of rows) console.log(r.kind.padEnd(8), r.top.toFixed(3), r.say);
