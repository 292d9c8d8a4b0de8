import { describe, expect, it } from 'vitest';
import { ConfigError, parseEnv } from '../src/config.js';
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
