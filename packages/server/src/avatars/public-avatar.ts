import type { Avatar, AvatarAppearance, EkmanEmotion } from '@vibhava/protocol';
import type { AvatarExpression } from '../persona/index.js';
import { profileOf, type AvatarRow } from './avatar-profiles.js';

/** The expression image that shows each emotion the widget's face can take. */
const IMAGE_FOR: Record<EkmanEmotion, AvatarExpression> = {
  neutral: 'neutral',
  joy: 'happy',
  sadness: 'sad',
  anger: 'angry',
  fear: 'afraid',
  surprise: 'surprised',
  disgust: 'disgusted',
};

/**
 * What a visitor's widget learns about the avatar: name, greeting, tagline, and how it looks
 * (images per expression as absolute URLs, stored assets resolved against this server).
 */
export function publicAvatarView(row: AvatarRow, serverOrigin: string): Avatar {
  const profile = profileOf(row);
  const images: Partial<Record<EkmanEmotion, string>> = {};
  for (const [emotion, expression] of Object.entries(IMAGE_FOR) as Array<[EkmanEmotion, AvatarExpression]>) {
    const url = profile.images?.[expression];
    if (url) images[emotion] = new URL(url, serverOrigin).href;
  }
  const appearance: AvatarAppearance = {
    ...(Object.keys(images).length ? { images } : {}),
    ...(profile.colors ? { colors: { ...profile.colors } } : {}),
  };
  return {
    id: row.id,
    name: profile.name,
    greeting: profile.greeting,
    tagline: profile.tagline ?? null,
    ...(Object.keys(appearance).length ? { appearance } : {}),
  };
}
