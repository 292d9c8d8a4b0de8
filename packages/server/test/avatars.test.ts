import { describe, expect, it } from 'vitest';
import { parseCardJson, readCharx, readPngCard, writePngCard } from '../src/cards/index.js';
import { avatarKit, type AvatarView } from './avatar-kit.js';

const { harness, call, json, visit, say, conversation, lastSystem } = avatarKit();

describe('avatar profiles', () => {
  it('starts an avatar from a personality template, overriding its fields', async () => {
    const templates = await json<{ templates: Array<{ id: string; builtIn: boolean }> }>(
      call('GET', '/personality-templates'),
      200,
    );
    expect(templates.templates.filter((t) => t.builtIn).map((t) => t.id)).toEqual(
      expect.arrayContaining(['guide', 'tutor', 'support-agent', 'sales-assistant', 'companion', 'storyteller']),
    );
    const avatar = await json<AvatarView>(
      call('POST', '/avatars', {
        templateId: 'tutor',
        name: 'Ada',
        greeting: 'Ready to learn?',
        traits: { extraversion: 90 },
      }),
      201,
    );
    expect(avatar.profile).toMatchObject({ name: 'Ada', greeting: 'Ready to learn?', templateId: 'tutor' });
    // The template's persona fills what the request left out.
    expect(avatar.profile.personality.length).toBeGreaterThan(20);
    expect(avatar.style.join(' ')).toMatch(/energetic|talkative|outgoing/i);
    expect(avatar.version).toBe(1);

    // A tenant's own template works the same way.
    await json(
      call('POST', '/personality-templates', {
        id: 'night-owl',
        name: 'Night owl',
        description: 'Late-night host',
        profile: { personality: 'Sleepy but kind.', speakingStyle: 'Whispers.' },
      }),
      201,
    );
    const owl = await json<AvatarView>(
      call('POST', '/avatars', { templateId: 'night-owl', name: 'Hoot', greeting: 'Hoo?' }),
      201,
    );
    expect(owl.profile).toMatchObject({
      personality: 'Sleepy but kind.',
      speakingStyle: 'Whispers.',
      templateId: 'night-owl',
    });
    await json(
      call('POST', '/personality-templates', { id: 'tutor', name: 'Clash', description: '', profile: {} }),
      409,
    );
    await json(call('POST', '/avatars', { templateId: 'no-such', name: 'X', greeting: 'Hi' }), 400);
  });

  it('versions every change: a conversation keeps answering with the version it began on', async () => {
    const avatar = await json<AvatarView>(
      call('POST', '/avatars', {
        name: 'Vesna',
        greeting: 'Hello!',
        personality: 'ORIGINAL-PERSONA: patient and exact.',
      }),
      201,
    );
    const { token } = await visit(avatar.id);
    const early = await conversation(token);
    await say(token, early, 'hello');
    expect(lastSystem()[0]!.content).toContain('ORIGINAL-PERSONA');

    const edited = await json<AvatarView>(
      call('PATCH', `/avatars/${avatar.id}`, { personality: 'EDITED-PERSONA: brisk.' }),
      200,
    );
    expect(edited.version).toBe(2);
    await say(token, early, 'and again');
    expect(lastSystem()[0]!.content).toContain('ORIGINAL-PERSONA');
    expect(lastSystem()[0]!.content).not.toContain('EDITED-PERSONA');

    const late = await conversation(token);
    await say(token, late, 'hello');
    expect(lastSystem()[0]!.content).toContain('EDITED-PERSONA');

    const versions = await json<{ versions: Array<{ version: number }> }>(
      call('GET', `/avatars/${avatar.id}/versions`),
      200,
    );
    expect(versions.versions.map((v) => v.version)).toEqual([2, 1]);
    const first = await json<{ profile: { personality: string } }>(
      call('GET', `/avatars/${avatar.id}/versions/1`),
      200,
    );
    expect(first.profile.personality).toContain('ORIGINAL-PERSONA');
    // Settings (not the persona) change without a new version.
    expect(
      (await json<AvatarView>(call('PATCH', `/avatars/${avatar.id}`, { limitMessage: 'Back soon!' }), 200)).version,
    ).toBe(2);
  });

  it('duplicates an avatar into a new one with its own history', async () => {
    const source = await json<AvatarView>(
      call('POST', '/avatars', { templateId: 'guide', name: 'Gus', greeting: 'Welcome!' }),
      201,
    );
    await json(call('PATCH', `/avatars/${source.id}`, { tagline: 'Your museum guide' }), 200);
    const copy = await json<AvatarView>(call('POST', `/avatars/${source.id}/duplicate`, { name: 'Gus II' }), 201);
    expect(copy.id).not.toBe(source.id);
    expect(copy.version).toBe(1);
    expect(copy.profile).toMatchObject({ name: 'Gus II', tagline: 'Your museum guide', templateId: 'guide' });
    expect((await call('DELETE', `/avatars/${source.id}`)).status).toBe(204);
    expect((await call('GET', `/avatars/${copy.id}`)).status).toBe(200);
  });

  it('stores uploaded expression images and shows them to the widget', async () => {
    const avatar = await json<AvatarView>(call('POST', '/avatars', { name: 'Pix', greeting: 'Hi' }), 201);
    const png = writePngCard(parseCardJson({ name: 'Pix', first_mes: 'Hi' }));
    const happy = await json<{ url: string }>(call('POST', `/avatars/${avatar.id}/images`, png, 'image/png'), 201);
    await json(
      call('PATCH', `/avatars/${avatar.id}`, { images: { happy: happy.url, sad: 'https://cdn.example/sad.png' } }),
      200,
    );
    const session = await visit(avatar.id);
    expect(session.avatar['appearance']).toEqual({
      images: { joy: `${harness().server.url}${happy.url}`, sadness: 'https://cdn.example/sad.png' },
    });
    expect((await fetch(`${harness().server.url}${happy.url}`)).headers.get('content-type')).toBe('image/png');
    // Anything that is not an image by its bytes is refused, whatever its header says.
    const fake = await call(
      'POST',
      `/avatars/${avatar.id}/images`,
      new TextEncoder().encode('<svg onload=alert(1)>'),
      'image/png',
    );
    expect(fake.status).toBe(400);
  });

  it('previews the system message and names the line of a template error', async () => {
    const preview = await json<{ systemMessage: string }>(
      call('POST', '/avatars/avt_demo/preview', { visitor: { name: 'Priya', verified: true } }),
      200,
    );
    expect(preview.systemMessage).toContain('You are Vee');
    expect(preview.systemMessage).toContain('Priya');

    const broken = await call('POST', '/avatars/avt_demo/preview', {
      changes: { systemTemplate: 'You are {{ avatar.name }}.\nHello {{ visitor.nickname }}' },
    });
    expect(broken.status).toBe(400);
    const body = (await broken.json()) as { error: { code: string; message: string; template: { line: number } } };
    expect(body.error.code).toBe('invalid_request');
    expect(body.error.message).toMatch(/Line 2/);
    expect(body.error.message).toMatch(/visitor\.nickname/);
    expect(body.error.template.line).toBe(2);

    // Saving a broken template is refused the same way, and the avatar is unchanged.
    const save = await call('PATCH', '/avatars/avt_demo', { systemTemplate: '{% include "secrets" %}' });
    expect(save.status).toBe(400);
    expect(((await save.json()) as { error: { message: string } }).error.message).toMatch(/systemTemplate: Line 1/);
  });
});

describe('character cards over the admin API', () => {
  const card = {
    spec: 'chara_card_v2',
    spec_version: '2.0',
    top_level_extra: { kept: true },
    data: {
      name: 'Mira',
      description: '{{char}} is a lighthouse keeper who talks to {{user}} about the sea.',
      personality: 'Calm, wry.',
      scenario: 'A stormy night at the lighthouse.',
      first_mes: 'The lamp is lit. Come in out of the rain.',
      mes_example: '<START>\n{{user}}: Hi\n{{char}}: Evening.',
      creator_notes: 'Made for the tests.',
      system_prompt: '',
      post_history_instructions: '',
      alternate_greetings: ['Another storm, another visitor.'],
      tags: ['sea', 'calm'],
      creator: 'tests',
      character_version: '1.2',
      extensions: { depth_prompt: { depth: 4, prompt: 'Mind the tide.' }, unknown_tool: { x: [1, 2] } },
      character_book: {
        name: 'Coast',
        extensions: {},
        entries: [
          {
            keys: ['kraken'],
            content: 'LORE-KRAKEN: the kraken sleeps under the northern reef.',
            extensions: {},
            enabled: true,
            insertion_order: 1,
          },
          {
            keys: ['lamp'],
            content: 'LORE-ALWAYS: the lamp has burned for 200 years.',
            extensions: {},
            enabled: true,
            insertion_order: 0,
            constant: true,
          },
        ],
      },
      unknown_data_field: 'survives',
    },
  };

  it('imports a PNG card with its picture and lorebook, chats with it, and exports it faithfully', async () => {
    const png = writePngCard(parseCardJson(card));
    const imported = await json<AvatarView>(call('POST', '/avatars/import?filename=mira.png', png, 'image/png'), 201);
    expect(imported.profile).toMatchObject({ name: 'Mira', greeting: 'The lamp is lit. Come in out of the rain.' });

    // The card's picture is served and becomes the avatar's face in the widget.
    const session = await visit(imported.id);
    const images = (session.avatar['appearance'] as { images: Record<string, string> }).images;
    expect(images['neutral']).toMatch(new RegExp(`^${harness().server.url}/v1/assets/ast_`));
    const picture = await fetch(images['neutral']!);
    expect(picture.headers.get('content-type')).toBe('image/png');
    expect(picture.headers.get('cache-control')).toContain('immutable');
    expect(
      Buffer.from(await picture.arrayBuffer())
        .subarray(1, 4)
        .toString(),
    ).toBe('PNG');

    // The persona renders (macros filled), constant lore is in the system message, keyword lore
    // joins the turn note only when its key comes up.
    const id = await conversation(session.token);
    await say(session.token, id, 'Good evening!');
    const [system, note] = lastSystem();
    expect(system!.content).toContain('Mira is a lighthouse keeper');
    expect(system!.content).toContain('LORE-ALWAYS');
    expect(note!.content).not.toContain('LORE-KRAKEN');
    await say(session.token, id, 'Have you ever seen the kraken?');
    expect(lastSystem().at(-1)!.content).toContain('LORE-KRAKEN');

    // Export as PNG: the same persona, the unknown fields and extensions intact.
    const exported = await call('GET', `/avatars/${imported.id}/card?format=png`);
    expect(exported.headers.get('content-disposition')).toContain('Mira.png');
    const back = readPngCard(new Uint8Array(await exported.arrayBuffer()));
    expect(back.card.data).toMatchObject({
      name: 'Mira',
      description: card.data.description,
      first_mes: card.data.first_mes,
      creator_notes: 'Made for the tests.',
      tags: ['sea', 'calm'],
      extensions: card.data.extensions,
      unknown_data_field: 'survives',
    });
    expect(back.card.data.character_book?.entries).toHaveLength(2);

    // CHARX and V3 JSON exports read back too.
    const charx = readCharx(
      new Uint8Array(await (await call('GET', `/avatars/${imported.id}/card?format=charx`)).arrayBuffer()),
    );
    expect(charx.card.data.name).toBe('Mira');
    const v3 = await json<{ spec: string; data: { name: string } }>(
      call('GET', `/avatars/${imported.id}/card?format=json-v3`),
      200,
    );
    expect(v3).toMatchObject({ spec: 'chara_card_v3', data: { name: 'Mira' } });
  });

  it('refuses hostile or broken cards with a clear 4xx and creates nothing', async () => {
    const before = (await json<{ avatars: unknown[] }>(call('GET', '/avatars'), 200)).avatars.length;
    const notACard = await call(
      'POST',
      '/avatars/import?filename=x.png',
      new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]),
      'image/png',
    );
    expect(notACard.status).toBe(400);
    expect(((await notACard.json()) as { error: { message: string } }).error.message).toMatch(/Invalid character card/);
    const badJson = await call(
      'POST',
      '/avatars/import?filename=x.json',
      new TextEncoder().encode('{"spec":'),
      'application/json',
    );
    expect(badJson.status).toBe(400);
    const traversal = await call('POST', '/avatars/import', new TextEncoder().encode(''), 'application/zip');
    expect(traversal.status).toBe(400);
    const brokenForm = await call(
      'POST',
      '/avatars/import',
      new TextEncoder().encode('--x\r\nnot a part'),
      'multipart/form-data; boundary=x',
    );
    expect(brokenForm.status).toBe(400);
    expect((await json<{ avatars: unknown[] }>(call('GET', '/avatars'), 200)).avatars.length).toBe(before);
  });
});
