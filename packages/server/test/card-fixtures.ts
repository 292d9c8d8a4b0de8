// Character cards the card tests build on: written out here, never read from shared data.

/** A V2 card as SillyTavern writes it: lorebook, extensions, fields no spec knows, legacy top level. */
export function v2Card() {
  return {
    name: 'Mira',
    description: 'legacy copy',
    avatar: 'none',
    talkativeness: '0.5',
    spec: 'chara_card_v2',
    spec_version: '2.0',
    data: {
      name: 'Mira',
      description: 'A lighthouse keeper who collects stories. ünïcödé ✓ 灯台',
      personality: 'patient, curious',
      scenario: 'A stormy night at the lighthouse.',
      first_mes: '*waves* Come in out of the rain, {{user}}.',
      mes_example: '<START>\n{{user}}: Hello\n{{char}}: Welcome.',
      creator_notes: 'Best with a slow burn.',
      system_prompt: 'You are {{char}}.',
      post_history_instructions: 'Stay in character.',
      alternate_greetings: ['Another stormy night...', 'The lamp flickers.'],
      tags: ['fantasy', 'cozy'],
      creator: 'tester',
      character_version: '1.2',
      extensions: {
        talkativeness: '0.5',
        fav: false,
        depth_prompt: { prompt: 'x', depth: 4, role: 'system' },
        'vibhava/voice': { id: 'alloy' },
      },
      x_unknown_field: { nested: [1, 2, { deep: true }] },
      character_book: {
        name: 'Coast',
        scan_depth: 3,
        token_budget: 500,
        recursive_scanning: false,
        extensions: { 'agnai/mode': 'x' },
        unknown_book_field: 'kept',
        entries: [
          {
            keys: ['lighthouse', 'lamp'],
            content: 'The lighthouse is 200 years old.',
            extensions: { position: 0, selectiveLogic: 0, unknown_ext: 1 },
            enabled: true,
            insertion_order: 10,
            id: 0,
            comment: 'lighthouse',
            selective: true,
            secondary_keys: ['storm'],
            constant: false,
            position: 'before_char',
            unknown_entry_field: [null, 'x'],
          },
          {
            keys: [],
            content: 'Always: the sea is cold.',
            extensions: {},
            enabled: true,
            insertion_order: 0,
            constant: true,
          },
        ],
      },
    },
  };
}

/** A V3 card with assets and every V3 addition. */
export function v3Card() {
  return {
    spec: 'chara_card_v3',
    spec_version: '3.0',
    data: {
      ...v2Card().data,
      nickname: 'Mir',
      creator_notes_multilingual: { en: 'Best with a slow burn.', fr: 'Mieux lentement.' },
      source: ['https://example.com/mira'],
      group_only_greetings: ['Hello, everyone.'],
      creation_date: 1700000000,
      modification_date: 1700000500,
      assets: [
        { type: 'icon', uri: 'embeded://assets/icon/images/main.png', name: 'main', ext: 'png' },
        { type: 'emotion', uri: 'embeded://assets/emotion/images/happy.webp', name: 'happy', ext: 'webp' },
        { type: 'background', uri: 'ccdefault:', name: 'main', ext: 'png' },
      ],
      character_book: {
        ...v2Card().data.character_book,
        entries: v2Card().data.character_book.entries.map((entry) => ({
          ...entry,
          use_regex: false,
          case_sensitive: false,
        })),
      },
    },
    x_top_level: 'kept',
  };
}
