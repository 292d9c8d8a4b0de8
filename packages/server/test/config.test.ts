import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, defaultDataDir, parseEnv } from '../src/config.js';
import { optionsFromEnv } from '../src/main.js';
import { resolveProviderName } from '../src/providers/registry.js';

describe('configuration', () => {
  it('has working defaults with an empty environment', () => {
    const env = parseEnv({});
    expect(env).toMatchObject({ PORT: 8787, HOST: '127.0.0.1', VIBHAVA_PROVIDER: 'auto', OPENAI_MODEL: 'gpt-4o-mini' });
    expect(env.OPENAI_API_KEY).toBeUndefined();
  });

  it('names the variable that is wrong', () => {
    expect(() => parseEnv({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => parseEnv({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => parseEnv({ OPENAI_BASE_URL: 'not a url' })).toThrow(/OPENAI_BASE_URL/);
    expect(() => parseEnv({ VIBHAVA_SECRET: 'short' })).toThrow(/VIBHAVA_SECRET: must be at least 32/);
    expect(() => parseEnv({ VIBHAVA_ALLOWED_ORIGINS: 'https://ok.example, nope' })).toThrow(
      /VIBHAVA_ALLOWED_ORIGINS.*"nope"/,
    );
    expect(() => parseEnv({ DATABASE_URL: 'postgres://x' })).toThrow(/DATABASE_URL/);
  });

  it('keeps the data in one folder whatever the working directory: the checkout’s .data, else the user’s data folder', () => {
    const checkout = resolve(import.meta.dirname, '../../..');
    expect(parseEnv({}).VIBHAVA_DATA_DIR).toBe(join(checkout, '.data'));
    expect(defaultDataDir({}, join(checkout, 'packages/server'))).toBe(join(checkout, '.data'));
    // An installed package (no workspace above it, or inside node_modules) uses the user's data folder.
    const installed = join(checkout, 'node_modules/@vibhava/server');
    if (process.platform === 'linux') {
      expect(defaultDataDir({ XDG_DATA_HOME: '/srv/data' }, installed)).toBe('/srv/data/vibhava');
      expect(defaultDataDir({}, '/opt/app/server')).toBe(join(homedir(), '.local/share/vibhava'));
    }
    // A folder that is set is used, relative to where the command runs, as an absolute path.
    expect(parseEnv({ VIBHAVA_DATA_DIR: 'state' }).VIBHAVA_DATA_DIR).toBe(resolve('state'));
    expect(optionsFromEnv(parseEnv({ VIBHAVA_DATA_DIR: '/var/lib/vibhava' })).dataDir).toBe('/var/lib/vibhava');
  });

  it('logs a line per request unless VIBHAVA_LOG_REQUESTS is off', () => {
    expect(optionsFromEnv(parseEnv({})).requestLog).toBeTypeOf('function');
    expect(optionsFromEnv(parseEnv({ VIBHAVA_LOG_REQUESTS: 'off' })).requestLog).toBeUndefined();
    expect(() => parseEnv({ VIBHAVA_LOG_REQUESTS: 'verbose' })).toThrow(/VIBHAVA_LOG_REQUESTS/);
  });

  it('picks OpenAI when a key is set, the local model otherwise', () => {
    const local = { modelsDir: '/tmp' };
    expect(resolveProviderName({ provider: 'auto', local })).toBe('local');
    expect(resolveProviderName({ provider: 'auto', openai: { apiKey: 'sk', model: 'gpt-4o-mini' }, local })).toBe(
      'openai',
    );
    expect(resolveProviderName({ provider: 'local', openai: { apiKey: 'sk', model: 'gpt-4o-mini' }, local })).toBe(
      'local',
    );
  });
});
