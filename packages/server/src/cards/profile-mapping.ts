import type { CardData, Lorebook } from './card-schema.js';
import type { CharacterCard } from './character-card.js';

/** The avatar persona as the rest of the server stores it: camelCase, only what we use. */
export interface AvatarProfile {
  name: string;
  description: string;
  personality: string;
  scenario: string;
  /** `first_mes` */
  greeting: string;
  alternateGreetings: string[];
  /** `mes_example` */
  exampleDialogues: string;
  systemPrompt: string;
  postHistoryInstructions: string;
  creatorNotes: string;
  tags: string[];
  creator: string;
  characterVersion: string;
  lorebook: Lorebook | null;
  extensions: Record<string, unknown>;
}

/** The profile fields of a card (everything else stays in `card.data` / `card.raw`). */
export function profileFromCard(card: CharacterCard): AvatarProfile {
  const { data } = card;
  return {
    name: data.name,
    description: data.description,
    personality: data.personality,
    scenario: data.scenario,
    greeting: data.first_mes,
    alternateGreetings: [...data.alternate_greetings],
    exampleDialogues: data.mes_example,
    systemPrompt: data.system_prompt,
    postHistoryInstructions: data.post_history_instructions,
    creatorNotes: data.creator_notes,
    tags: [...data.tags],
    creator: data.creator,
    characterVersion: data.character_version,
    lorebook: data.character_book ?? null,
    extensions: { ...data.extensions },
  };
}

/**
 * A card from a profile. With `original` (the card the profile was imported from), everything
 * the profile does not hold survives: unknown fields, V3 assets and dates, top-level extras, the
 * spec it came in. Without it, a fresh V3 card.
 */
export function cardFromProfile(profile: AvatarProfile, original?: CharacterCard): CharacterCard {
  const { character_book: _book, ...kept } = original?.data ?? {};
  const data: CardData = {
    ...kept,
    name: profile.name,
    description: profile.description,
    personality: profile.personality,
    scenario: profile.scenario,
    first_mes: profile.greeting,
    alternate_greetings: [...profile.alternateGreetings],
    mes_example: profile.exampleDialogues,
    system_prompt: profile.systemPrompt,
    post_history_instructions: profile.postHistoryInstructions,
    creator_notes: profile.creatorNotes,
    tags: [...profile.tags],
    creator: profile.creator,
    character_version: profile.characterVersion,
    extensions: { ...profile.extensions },
  };
  if (profile.lorebook) data.character_book = profile.lorebook;
  if (!original) return { spec: 'chara_card_v3', data, raw: {} };
  return { spec: original.spec, data, raw: original.raw };
}
