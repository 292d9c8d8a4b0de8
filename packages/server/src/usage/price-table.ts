import { z } from 'zod';

/** USD per million tokens (or per minute / per million characters where the vendor bills so). */
export const ModelPriceSchema = z.object({
  inputPerMTok: z.number().nonnegative().default(0),
  cachedInputPerMTok: z.number().nonnegative().optional(),
  outputPerMTok: z.number().nonnegative().default(0),
  audioInputPerMTok: z.number().nonnegative().optional(),
  audioOutputPerMTok: z.number().nonnegative().optional(),
  perAudioMinute: z.number().nonnegative().optional(),
  perMCharacters: z.number().nonnegative().optional(),
});
export type ModelPrice = z.infer<typeof ModelPriceSchema>;

export const PriceTableSchema = z.object({
  /** Stored with every ledger row, so a later price change never rewrites past costs. */
  version: z.string().min(1),
  models: z.record(z.string(), ModelPriceSchema),
});
export type PriceTable = z.infer<typeof PriceTableSchema>;

/**
 * OpenAI's published prices for the GPT-4o mini family (USD, 2026-11 list prices). Override or
 * extend with VIBHAVA_PRICES_FILE (same shape, JSON). The local model and scripted replies cost 0.
 */
export const DEFAULT_PRICE_TABLE: PriceTable = PriceTableSchema.parse({
  version: 'openai-2026-11',
  models: {
    'gpt-4o-mini': { inputPerMTok: 0.15, cachedInputPerMTok: 0.075, outputPerMTok: 0.6 },
    'gpt-4o-mini-audio-preview': {
      inputPerMTok: 0.15,
      outputPerMTok: 0.6,
      audioInputPerMTok: 10,
      audioOutputPerMTok: 20,
    },
    'gpt-4o-mini-realtime-preview': {
      inputPerMTok: 0.6,
      cachedInputPerMTok: 0.3,
      outputPerMTok: 2.4,
      audioInputPerMTok: 10,
      audioOutputPerMTok: 20,
    },
    'gpt-4o-mini-transcribe': { inputPerMTok: 1.25, outputPerMTok: 5, audioInputPerMTok: 3, perAudioMinute: 0.003 },
    'gpt-4o-mini-tts': { inputPerMTok: 0.6, audioOutputPerMTok: 12, perAudioMinute: 0.015 },
    'whisper-1': { perAudioMinute: 0.006 },
    'tts-1': { perMCharacters: 15 },
    'text-embedding-3-small': { inputPerMTok: 0.02 },
  },
});

export interface BillableUsage {
  inputTokens?: number;
  cachedInputTokens?: number;
  outputTokens?: number;
  audioInputTokens?: number;
  audioOutputTokens?: number;
  audioSeconds?: number;
  characters?: number;
}

/**
 * Cost in micro-USD (integers add up exactly). Token-priced usage wins over per-minute prices
 * when the vendor reported tokens; per-minute is the fallback for audio-only reports.
 */
export function costMicroUsd(price: ModelPrice | undefined, usage: BillableUsage): number {
  if (!price) return 0;
  const cached = Math.min(usage.cachedInputTokens ?? 0, usage.inputTokens ?? 0);
  const uncached = (usage.inputTokens ?? 0) - cached;
  let usd =
    uncached * price.inputPerMTok +
    cached * (price.cachedInputPerMTok ?? price.inputPerMTok) +
    (usage.outputTokens ?? 0) * price.outputPerMTok +
    (usage.audioInputTokens ?? 0) * (price.audioInputPerMTok ?? 0) +
    (usage.audioOutputTokens ?? 0) * (price.audioOutputPerMTok ?? 0);
  usd /= 1e6;
  const tokenBilled = (usage.audioInputTokens ?? 0) + (usage.audioOutputTokens ?? 0) > 0;
  if (!tokenBilled && usage.audioSeconds && price.perAudioMinute)
    usd += (usage.audioSeconds / 60) * price.perAudioMinute;
  if (usage.characters && price.perMCharacters) usd += (usage.characters / 1e6) * price.perMCharacters;
  return Math.round(usd * 1e6);
}

/** A model's prices; dated snapshots (`gpt-4o-mini-2024-07-18`) use their family's. Unknown (local) models cost 0. */
export function priceFor(table: PriceTable, model: string): ModelPrice | undefined {
  return table.models[model] ?? table.models[model.replace(/-\d{4}-\d{2}-\d{2}$/, '')];
}
