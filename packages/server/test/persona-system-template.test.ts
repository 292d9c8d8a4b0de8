import { describe, expect, it } from 'vitest';
import {
  AvatarProfileSchema,
  DEFAULT_SYSTEM_TEMPLATE,
  SANDBOX_LIMITS,
  applyTemplate,
  compileSystemTemplate,
  getBuiltInTemplate,
  previewSystemMessage,
  renderSystemMessage,
  type TemplateError,
} from '../src/persona/index.js';

const NOW = new Date('2025-06-03T14:05:00Z');

function profile(extra: Record<string, unknown> = {}) {
  return AvatarProfileSchema.parse({ name: 'Vee', greeting: 'Hi!', ...extra });
}

function errorOf(source: string): TemplateError {
  const result = compileSystemTemplate(source);
  if (result.ok) throw new Error(`expected ${JSON.stringify(source)} to be refused`);
  return result.error;
}

describe('the default system message', () => {
  const guide = AvatarProfileSchema.parse(applyTemplate(getBuiltInTemplate('guide')!));

  it('renders every section that has content', () => {
    const text = renderSystemMessage(guide, {
      now: NOW,
      timezone: 'Europe/London',
      visitor: { name: 'Priya', verified: true, claims: { email: 'priya@example.com' } },
      memories: '- Ordered a blue kettle last week.',
      preferences: '- Prefers short answers.',
      lorebook: 'Returns are free within 30 days.',
      tone: 'Be a little gentler than usual.',
      emotion: 'worried',
    });
    expect(text).toMatch(/^You are Ava \(Your guide to this site\), an AI avatar/);
    for (const heading of [
      '## Who you are',
      '## Personality',
      '## How you speak',
      '## Scenario',
      '## The visitor',
      '## Their preferences',
      '## What you remember about them',
      '## Background knowledge',
      '## Tone right now',
      '## Example conversations',
      '## Ground rules',
    ]) {
      expect(text).toContain(`\n\n${heading}\n`);
    }
    expect(text).toContain('You are talking with Priya.');
    expect(text).toContain('They are signed in to the website.');
    expect(text).toContain('They seem to be feeling: worried.');
    expect(text).toContain('- Ordered a blue kettle last week.');
    expect(text).toContain('Be organised and precise; keep track of what the visitor asked for.');
    expect(text).toContain('Priya has just arrived'); // {{user}} filled in the scenario
    expect(text).toContain('Priya: where do i change my delivery address\nAva: Open **Account');
    expect(text).toContain('Today is Tuesday, June 3, 2025 (Europe/London).');
    expect(text).toContain('if unsure, use English.');
    expect(text).not.toContain('priya@example.com'); // claims stay out unless a tenant opts in
    expect(text).not.toMatch(/\n{3}/);
    expect(text).not.toMatch(/[ \t]\n/);
  });

  it('leaves out empty sections', () => {
    const text = renderSystemMessage(profile(), { now: NOW });
    expect(text).toBe(
      [
        'You are Vee, an AI avatar talking with a visitor on this website. Stay in character as Vee.',
        '',
        '## The visitor',
        "You don't know the visitor's name; don't guess it.",
        "They are not signed in, so don't assume anything about their account.",
        '',
        '## Ground rules',
        'Today is Tuesday, June 3, 2025 (UTC).',
        'Reply in the language the visitor writes in; if unsure, use English.',
        "You are an AI: if asked, say so honestly. Don't invent facts about this website, its prices or the visitor; say when you don't know.",
      ].join('\n'),
    );
  });

  it("formats the date in the visitor's locale and zone, falling back on unknown ones", () => {
    const german = renderSystemMessage(profile({ language: 'de' }), { now: NOW, timezone: 'Europe/Berlin' });
    expect(german).toContain('Today is Dienstag, 3. Juni 2025 (Europe/Berlin).');
    expect(german).toContain('if unsure, use German.');
    const unknown = renderSystemMessage(profile(), { now: NOW, timezone: 'Mars/Olympus', locale: '???' });
    expect(unknown).toContain('Today is Tuesday, June 3, 2025 (UTC).');
  });

  it('treats visitor data as text, never as template code', () => {
    const text = renderSystemMessage(profile(), { now: NOW, visitor: { name: '{{ avatar.constructor }}{% raw %}' } });
    expect(text).toContain('You are talking with {{ avatar.constructor }}{% raw %}.');
  });
});

describe('custom system templates', () => {
  it('render with every documented variable', () => {
    const source = [
      '{{ avatar.name }}|{{ avatar.tagline }}|{{ avatar.language }}|{{ avatar.style }}',
      '{{ visitor.name }}|{{ visitor.id }}|{{ visitor.verified }}|{{ visitor.claims.plan }}',
      '{{ now }}|{{ date }}|{{ time }}|{{ locale }}|{{ timezone }}',
      '{{ memories }}|{{ preferences }}|{{ lorebook }}|{{ tone }}|{{ emotion }}|{{ memories.size }}',
    ].join('\n');
    // An unguarded claim fails the save-time check (claims differ per visitor)...
    expect(errorOf(source)).toMatchObject({ line: 2, variable: 'visitor.claims.plan' });
    // ...so a template guards it.
    const guarded = source.replace('{{ visitor.claims.plan }}', '{{ visitor.claims.plan | default: "free" }}');
    const vee = profile({ tagline: 'Helper', traits: { extraversion: 85 }, systemTemplate: guarded });
    const text = renderSystemMessage(vee, {
      now: NOW,
      visitor: { name: 'Sam', id: 'vis_1', verified: true, claims: { plan: 'pro' } },
      memories: 'm',
      preferences: 'p',
      lorebook: 'l',
      tone: 't',
      emotion: 'e',
    });
    expect(text.split('\n')).toEqual([
      'Vee|Helper|en|Be energetic and talkative; volunteer ideas and ask follow-up questions.',
      'Sam|vis_1|true|pro',
      '2025-06-03T14:05:00.000Z|Tuesday, June 3, 2025|2:05 PM|en|UTC',
      'm|p|l|t|e|1',
    ]);
    expect(renderSystemMessage(vee, { now: NOW }).split('\n')[1]).toBe('||false|free');
  });

  it('can test slots and claims the natural way', () => {
    const source =
      '{% if memories %}M:{{ memories }}{% endif %}{% if visitor.claims.plan %}P:{{ visitor.claims.plan }}{% endif %}.';
    const vee = profile({ systemTemplate: source });
    expect(renderSystemMessage(vee, { memories: '' })).toBe('.');
    expect(renderSystemMessage(vee, { memories: 'x', visitor: { claims: { plan: 'pro' } } })).toBe('M:xP:pro.');
  });

  it('are cached by source', () => {
    const source = 'Hello {{ avatar.name }} {{ "cache" }}';
    expect(compileSystemTemplate(source)).toBe(compileSystemTemplate(source));
  });

  it('render fast enough for every message', () => {
    const guide = AvatarProfileSchema.parse(applyTemplate(getBuiltInTemplate('support-agent')!));
    const context = { now: NOW, memories: '- likes tea', tone: 'Be brief.', visitor: { name: 'Ana' } };
    renderSystemMessage(guide, context);
    const runs = 500;
    const started = performance.now();
    for (let i = 0; i < runs; i++) renderSystemMessage(guide, context);
    const perRender = (performance.now() - started) / runs;
    console.info(`default system message: ${(perRender * 1000).toFixed(0)} µs per render`);
    // About 0.1 ms on an idle core; generous because the test machine is shared.
    expect(perRender).toBeLessThan(5);
  });
});

describe('the sandbox', () => {
  it('hides prototypes and JavaScript internals', () => {
    expect(errorOf('Hello\n{{ avatar.constructor }}')).toEqual({
      code: 'template_error',
      message:
        'Line 2: unknown variable `avatar.constructor` (avatar has: name, tagline, description, personality, scenario, speaking_style, language, language_name, style, greeting, example_dialogues)',
      line: 2,
      column: 4,
      variable: 'avatar.constructor',
    });
    expect(errorOf('{{ avatar.name.constructor.constructor }}').variable).toBe('avatar.name.constructor.constructor');
    expect(errorOf('{{ visitor["__proto__"] }}').variable).toBe('visitor.__proto__');
    expect(errorOf('{{ process.env }}').message).toMatch(
      /^Line 1: unknown variable `process.env` \(available: avatar, visitor, now/,
    );
    // A dynamic key gets past the static check but not the render.
    expect(errorOf('{% assign k = "constructor" %}{{ avatar[k] }}')).toMatchObject({
      line: 1,
      variable: 'avatar.constructor',
      message: 'Line 1: unknown variable `avatar.constructor`',
    });
    // Claims are data the visitor's identity token carried: own properties only.
    const claims = JSON.parse('{"__proto__": {"polluted": "yes"}, "plan": "pro"}') as Record<string, unknown>;
    const vee = profile({
      systemTemplate: '{{ visitor.claims.plan | default: "" }}{{ visitor.claims.toString | default: "-" }}',
    });
    expect(previewSystemMessage(vee, { visitor: { claims } })).toEqual({ ok: true, text: 'pro-' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses to load other templates or files', () => {
    for (const [source, tag] of [
      ["{% include 'secrets' %}", 'include'],
      ['{% render "/etc/passwd" %}', 'render'],
      ["{% layout 'base' %}", 'layout'],
      ['{% block x %}{% endblock %}', 'block'],
    ] as const) {
      expect(errorOf(source)).toEqual({
        code: 'template_error',
        message: `Line 1: \`{% ${tag} %}\` is not allowed: a system template can't load other templates or files`,
        line: 1,
        column: 1,
      });
    }
    expect(errorOf("{% liquid\n  include 'x'\n%}")).toMatchObject({
      line: 2,
      message: expect.stringContaining('`{% include %}` is not allowed'),
    });
  });

  it('stops huge loops and oversized output', () => {
    const range = errorOf('ok\n{% for i in (1..100000000) %}{{ i }}{% endfor %}');
    expect(range).toMatchObject({ line: 2, column: 1 });
    expect(range.message).toBe('Line 2: the template builds too much data (a loop or filter is far too large)');

    const nested = errorOf(
      '{% for i in (1..900) %}{% for j in (1..900) %}{% for k in (1..900) %}{% endfor %}{% endfor %}{% endfor %}',
    );
    expect(nested.message).toMatch(/^Line 1: the template (took longer than 100 ms|builds too much data)/);

    const started = performance.now();
    const doubling = errorOf(
      '{% assign a = "1,2,3" | split: "," %}{% for i in (1..40) %}{% assign a = a | concat: a %}{% endfor %}',
    );
    expect(doubling.message).toMatch(/^Line 1: the template builds too much data/);
    expect(performance.now() - started).toBeLessThan(2000);

    const wide = errorOf('{% for i in (1..20000) %}{{ avatar.description }}{{ memories }}{% endfor %}');
    expect(wide.message).toMatch(/longer than (100000 characters|100 ms)/);
  });

  it('refuses over-long templates', () => {
    expect(errorOf('x'.repeat(SANDBOX_LIMITS.templateChars + 1)).message).toBe(
      `Line 1: the template is longer than ${SANDBOX_LIMITS.templateChars} characters`,
    );
  });
});

describe('template errors', () => {
  it('name the line and the unknown variable, even in a branch the sample would skip', () => {
    const source =
      'You are {{ avatar.name }}.\n{% unless visitor.verified %}\nHi {{ visitor.nickname }}!\n{% endunless %}';
    expect(errorOf(source)).toEqual({
      code: 'template_error',
      message: 'Line 3: unknown variable `visitor.nickname` (visitor has: name, id, verified, claims)',
      line: 3,
      column: 7,
      variable: 'visitor.nickname',
    });
    expect(errorOf('{{ memories.first.oops }}\n{{ memory }}')).toMatchObject({
      line: 1,
      message: 'Line 1: unknown variable `memories.first.oops` (memories is text)',
    });
    expect(errorOf('ok\n\n{{ memory }}')).toMatchObject({ line: 3, variable: 'memory' });
  });

  it('name the line of a syntax error, an unknown tag or an unknown filter', () => {
    expect(errorOf('line one\n{% if memories %}\nunclosed')).toEqual({
      code: 'template_error',
      message: 'Line 2: tag {% if memories %} not closed',
      line: 2,
      column: 1,
    });
    expect(errorOf('a\nb\n{{ avatar.name | shout }}').message).toBe('Line 3: unknown filter `shout`');
    expect(errorOf('{% python %}').message).toBe('Line 1: unknown tag `{% python %}`');
    expect(errorOf('{{ avatar.name ').line).toBe(1);
  });
});

describe('rendering and previews', () => {
  it('falls back to the default template when a saved one breaks on real data', () => {
    // Passes the sample render, but real memories push the output past the limit.
    const source = '{% for i in (1..2000) %}{{ memories }}{% endfor %}';
    expect(compileSystemTemplate(source).ok).toBe(true);
    const vee = profile({ systemTemplate: source });
    const errors: TemplateError[] = [];
    const text = renderSystemMessage(
      vee,
      // Long enough that the output limit trips within a few iterations, however slow the machine.
      { now: NOW, memories: 'm'.repeat(20_000) },
      { onTemplateError: (e) => errors.push(e) },
    );
    expect(text).toMatch(/^You are Vee, an AI avatar/);
    expect(text).toContain('## What you remember about them');
    expect(errors).toEqual([
      {
        code: 'template_error',
        message: `Line 1: the rendered system message is longer than ${SANDBOX_LIMITS.outputChars} characters`,
        line: 1,
        column: 1,
      },
    ]);
  });

  it('falls back when a stored template no longer compiles, and ignores a blank one', () => {
    const errors: TemplateError[] = [];
    const broken = profile({ systemTemplate: '{% include "x" %}' });
    expect(renderSystemMessage(broken, { now: NOW }, { onTemplateError: (e) => errors.push(e) })).toBe(
      renderSystemMessage(profile(), { now: NOW }),
    );
    expect(errors).toHaveLength(1);
    expect(renderSystemMessage(profile({ systemTemplate: '   ' }), { now: NOW })).toBe(
      renderSystemMessage(profile(), { now: NOW }),
    );
  });

  it('previews with sample data, or returns the error without falling back', () => {
    const preview = previewSystemMessage(profile());
    if (!preview.ok) throw new Error(preview.error.message);
    expect(preview.text).toContain('You are talking with Alex.');
    expect(preview.text).toContain('Alex is planning a trip to Lisbon');
    const custom = previewSystemMessage(profile({ systemTemplate: 'Hi {{ visitor.name }}' }), {
      visitor: { name: 'Kim' },
    });
    expect(custom).toEqual({ ok: true, text: 'Hi Kim' });
    expect(previewSystemMessage(profile({ systemTemplate: '{{ visitor.nickname }}' }))).toMatchObject({
      ok: false,
      error: { line: 1, variable: 'visitor.nickname' },
    });
  });

  it('ships a default template that passes its own checks', () => {
    expect(compileSystemTemplate(DEFAULT_SYSTEM_TEMPLATE).ok).toBe(true);
  });
});
