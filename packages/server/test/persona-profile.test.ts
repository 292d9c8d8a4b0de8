import { describe, expect, it } from 'vitest';
import {
  AVATAR_EXPRESSIONS,
  AvatarProfilePatchSchema,
  AvatarProfileSchema,
  BUILT_IN_TEMPLATE_IDS,
  DEFAULT_ADAPTATION_BOUNDS,
  EKMAN_EMOTIONS,
  PersonalityTemplateSchema,
  applyProfilePatch,
  applyTemplate,
  expandCardMacros,
  expressionForEmotion,
  getBuiltInTemplate,
  imageForExpression,
  isCssColor,
  listBuiltInTemplates,
  traitBand,
  traitsToStyle,
  type BigFiveTraits,
} from '../src/persona/index.js';

const minimal = { name: 'Vee', greeting: 'Hi!' };

function issues(input: unknown) {
  const parsed = AvatarProfileSchema.safeParse(input);
  if (parsed.success) throw new Error('expected the profile to be refused');
  return parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
}

describe('AvatarProfileSchema', () => {
  it('fills defaults for a minimal profile', () => {
    const profile = AvatarProfileSchema.parse(minimal);
    expect(profile).toEqual({
      name: 'Vee',
      greeting: 'Hi!',
      description: '',
      personality: '',
      scenario: '',
      speakingStyle: '',
      alternateGreetings: [],
      exampleDialogues: '',
      language: 'en',
      traits: { openness: 50, conscientiousness: 50, extraversion: 50, agreeableness: 50, neuroticism: 50 },
    });
  });

  it('canonicalises language tags and refuses non-tags', () => {
    expect(AvatarProfileSchema.parse({ ...minimal, language: 'pt-br' }).language).toBe('pt-BR');
    expect(issues({ ...minimal, language: 'not a language!' })).toEqual([
      { path: 'language', message: '"not a language!" is not a BCP-47 language tag like "en" or "pt-BR"' },
    ]);
  });

  it('names the field and the limit for over-long or empty text', () => {
    expect(issues({ name: 'x'.repeat(81), greeting: '' })).toEqual([
      { path: 'name', message: 'must be at most 80 characters' },
      { path: 'greeting', message: 'must not be empty' },
    ]);
    expect(issues({ ...minimal, alternateGreetings: Array.from({ length: 21 }, () => 'hi') })[0]?.message).toBe(
      'at most 20 alternate greetings',
    );
  });

  it('keeps Big Five scores whole numbers within 0-100 and defaults the rest to 50', () => {
    expect(AvatarProfileSchema.parse({ ...minimal, traits: { extraversion: 85 } }).traits).toEqual({
      openness: 50,
      conscientiousness: 50,
      extraversion: 85,
      agreeableness: 50,
      neuroticism: 50,
    });
    expect(issues({ ...minimal, traits: { openness: 101, neuroticism: 12.5 } })).toEqual([
      { path: 'traits.openness', message: 'must be 0-100' },
      { path: 'traits.neuroticism', message: 'must be a whole number' },
    ]);
  });

  it('accepts only CSS colours that cannot inject CSS', () => {
    for (const good of ['#1a73e8', '#FFF', '#11223344', 'rgb(26 115 232 / 50%)', 'hsl(210deg 50% 40%)', 'Teal']) {
      expect(isCssColor(good), good).toBe(true);
    }
    for (const bad of ['red; background: url(x)', 'url(https://x.test/a.png)', 'var(--x)', 'rgb(1,2,3) }', '#12', '']) {
      expect(isCssColor(bad), bad).toBe(false);
    }
    expect(issues({ ...minimal, colors: { accent: 'red;}' } })).toEqual([
      { path: 'colors.accent', message: 'must be a CSS colour such as #1a73e8, rgb(26 115 232) or teal' },
    ]);
  });

  it('takes images only for known expressions, over http(s) or as stored assets', () => {
    const profile = AvatarProfileSchema.parse({ ...minimal, images: { happy: 'https://cdn.example/vee/happy.png' } });
    expect(profile.images).toEqual({ happy: 'https://cdn.example/vee/happy.png' });
    expect(issues({ ...minimal, images: { smug: 'https://cdn.example/smug.png' } })).toEqual([
      {
        path: 'images',
        message: `unknown expression "smug"; use ${AVATAR_EXPRESSIONS.join(', ')}`,
      },
    ]);
    expect(issues({ ...minimal, images: { sad: 'javascript:alert(1)' } })).toEqual([
      { path: 'images.sad', message: 'must be an http(s) URL or a stored asset path (/v1/assets/<id>)' },
    ]);
    expect(AvatarProfileSchema.parse({ ...minimal, images: { neutral: '/v1/assets/ast_1' } }).images).toEqual({
      neutral: '/v1/assets/ast_1',
    });
    expect(issues({ ...minimal, images: { neutral: '/v1/assets/../admin' } })).toHaveLength(1);
  });

  it('fills adaptation bounds and bounds the opaque blobs', () => {
    const profile = AvatarProfileSchema.parse({ ...minimal, adaptation: { maxWarmthShift: 0.3 } });
    expect(profile.adaptation).toEqual({ ...DEFAULT_ADAPTATION_BOUNDS, maxWarmthShift: 0.3 });
    expect(issues({ ...minimal, adaptation: { maxWarmthShift: 2 } })[0]?.path).toBe('adaptation.maxWarmthShift');
    const lorebook = { entries: [{ keys: ['x'], content: 'y'.repeat(1_000_001) }] };
    expect(issues({ ...minimal, lorebook })[0]?.message).toBe(
      'the lorebook must be JSON of at most 1000000 characters',
    );
  });
});

describe('profile patches', () => {
  const base = AvatarProfileSchema.parse({
    ...minimal,
    tagline: 'Helper',
    systemTemplate: 'You are {{ avatar.name }}.',
    traits: { openness: 80 },
    colors: { accent: '#112233' },
  });

  it('adds no defaults of its own', () => {
    expect(AvatarProfilePatchSchema.parse({})).toEqual({});
  });

  it('merges nested objects, replaces arrays and clears with null', () => {
    const patch = AvatarProfilePatchSchema.parse({
      traits: { extraversion: 20 },
      colors: { text: 'black' },
      alternateGreetings: ['Hello again'],
      systemTemplate: null,
      tagline: null,
      adaptation: { enabled: false },
    });
    const next = applyProfilePatch(base, patch);
    expect(next.traits).toEqual({ ...base.traits, extraversion: 20 });
    expect(next.colors).toEqual({ accent: '#112233', text: 'black' });
    expect(next.alternateGreetings).toEqual(['Hello again']);
    expect(next).not.toHaveProperty('systemTemplate');
    expect(next).not.toHaveProperty('tagline');
    expect(next.adaptation).toEqual({ ...DEFAULT_ADAPTATION_BOUNDS, enabled: false });
    expect(AvatarProfileSchema.parse(next)).toEqual(next);
  });

  it('refuses null for required fields', () => {
    expect(AvatarProfilePatchSchema.safeParse({ name: null }).success).toBe(false);
  });
});

describe('personality templates', () => {
  it('ships six complete built-in templates', () => {
    expect(listBuiltInTemplates().map((template) => template.id)).toEqual([...BUILT_IN_TEMPLATE_IDS]);
    expect(BUILT_IN_TEMPLATE_IDS).toEqual([
      'guide',
      'tutor',
      'support-agent',
      'sales-assistant',
      'companion',
      'storyteller',
    ]);
    for (const template of listBuiltInTemplates()) {
      expect(PersonalityTemplateSchema.parse(template)).toEqual(template);
      const profile = AvatarProfileSchema.parse(applyTemplate(template));
      expect(profile.templateId).toBe(template.id);
      expect(profile.personality.length, template.id).toBeGreaterThan(150);
      expect(profile.speakingStyle.length, template.id).toBeGreaterThan(100);
      expect(profile.scenario.length, template.id).toBeGreaterThan(60);
      expect(profile.exampleDialogues, template.id).toMatch(/^<START>\n\{\{user\}\}: .+\n\{\{char\}\}: /);
      expect(traitsToStyle(profile.traits).length, template.id).toBeGreaterThanOrEqual(3);
    }
  });

  it('lets overrides win, merging nested objects and replacing arrays', () => {
    const tutor = getBuiltInTemplate('tutor');
    if (!tutor) throw new Error('tutor template missing');
    const draft = applyTemplate(tutor, {
      name: 'Professor Lin',
      traits: { extraversion: 90 },
      alternateGreetings: ['Class is in session.'],
      templateId: 'ignored',
    });
    const profile = AvatarProfileSchema.parse(draft);
    expect(profile.name).toBe('Professor Lin');
    expect(profile.templateId).toBe('tutor');
    expect(profile.traits).toEqual({ ...tutor.profile.traits, extraversion: 90 });
    expect(profile.alternateGreetings).toEqual(['Class is in session.']);
    expect(profile.adaptation).toEqual({ ...DEFAULT_ADAPTATION_BOUNDS, maxWarmthShift: 0.7 });
    expect(profile.greeting).toBe(tutor.profile.greeting);
    expect(getBuiltInTemplate('nope')).toBeUndefined();
  });

  it('takes tenant templates in the same shape, from JSON', () => {
    const stored = JSON.stringify({
      id: 'hotel-concierge',
      name: 'Hotel concierge',
      description: 'Books tables and answers questions about the hotel.',
      profile: { personality: 'Discreet and impeccably polite.', traits: { agreeableness: 85 } },
    });
    const template = PersonalityTemplateSchema.parse(JSON.parse(stored));
    const profile = AvatarProfileSchema.parse(applyTemplate(template, { name: 'Jules', greeting: 'Good evening.' }));
    expect(profile).toMatchObject({ templateId: 'hotel-concierge', personality: 'Discreet and impeccably polite.' });
    expect(PersonalityTemplateSchema.safeParse({ ...JSON.parse(stored), id: 'Bad Id' }).success).toBe(false);
  });
});

describe('Big Five → style', () => {
  const mid: BigFiveTraits = {
    openness: 50,
    conscientiousness: 50,
    extraversion: 50,
    agreeableness: 50,
    neuroticism: 50,
  };

  it('says nothing for middle scores', () => {
    expect(traitsToStyle(mid)).toEqual([]);
  });

  it('turns extraversion into concrete behaviour', () => {
    expect(traitsToStyle({ ...mid, extraversion: 85 })).toEqual([
      'Be energetic and talkative; volunteer ideas and ask follow-up questions.',
    ]);
    expect(traitsToStyle({ ...mid, extraversion: 15 })).toEqual([
      "Be calm and reserved; answer concisely and don't push the conversation.",
    ]);
  });

  it('uses five bands with fixed edges', () => {
    const bands = [0, 19, 20, 39, 40, 60, 61, 80, 81, 100].map(traitBand);
    expect(bands).toEqual([
      'very-low',
      'very-low',
      'low',
      'low',
      'mid',
      'mid',
      'high',
      'high',
      'very-high',
      'very-high',
    ]);
  });

  it('gives one distinct sentence per trait, in OCEAN order, deterministically', () => {
    const high = { openness: 90, conscientiousness: 90, extraversion: 90, agreeableness: 90, neuroticism: 90 };
    const low = { openness: 30, conscientiousness: 30, extraversion: 30, agreeableness: 30, neuroticism: 30 };
    const sentences = traitsToStyle(high);
    expect(sentences).toHaveLength(5);
    expect(sentences[0]).toMatch(/imaginative/);
    expect(sentences[4]).toMatch(/emotionally expressive/);
    expect(traitsToStyle(high)).toEqual(sentences);
    const all = [...sentences, ...traitsToStyle(low)];
    expect(new Set(all).size).toBe(10);
    for (const sentence of all) expect(sentence).toMatch(/^[A-Z].+\.$/);
  });
});

describe('expressions and card macros', () => {
  it('maps every Ekman emotion onto an expression, with a neutral fallback image', () => {
    for (const emotion of EKMAN_EMOTIONS) expect(AVATAR_EXPRESSIONS).toContain(expressionForEmotion(emotion));
    expect(expressionForEmotion('fear')).toBe('afraid');
    expect(expressionForEmotion('contempt')).toBe('disgusted');
    const images = { neutral: 'https://cdn.example/n.png', happy: 'https://cdn.example/h.png' };
    expect(imageForExpression(images, 'happy')).toBe(images.happy);
    expect(imageForExpression(images, 'sad')).toBe(images.neutral);
    expect(imageForExpression(undefined, 'sad')).toBeUndefined();
  });

  it('fills {{char}}/{{user}} and the legacy forms, capitalising at sentence starts', () => {
    const names = { char: 'Ava', user: 'the visitor' };
    expect(expandCardMacros('{{user}} arrives. {{ CHAR }} waves at {{user}}; <BOT> smiles at <user>.', names)).toBe(
      'The visitor arrives. Ava waves at the visitor; Ava smiles at the visitor.',
    );
    expect(expandCardMacros('{{ avatar.name }} stays', names)).toBe('{{ avatar.name }} stays');
  });
});
