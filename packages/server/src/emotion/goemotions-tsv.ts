import { EMOTION_LABELS } from './emotion-labels.js';

/** One row of a GoEmotions file: the comment, its label ids (0..27) and its comment id. */
export interface LabelledText {
  readonly text: string;
  readonly labels: readonly number[];
  readonly id: string;
}

/** A row that is not `text<TAB>label ids<TAB>id` with known label ids. */
export class GoEmotionsFormatError extends Error {
  override name = 'GoEmotionsFormatError';
}

/**
 * Parses the GoEmotions TSV format (`text<TAB>comma-separated label ids<TAB>comment id`, one row
 * a line, as in google-research/goemotions `data/*.tsv`). Throws on a malformed row rather than
 * skipping it, so a wrong file never trains or scores silently.
 */
export function parseGoEmotionsTsv(content: string): LabelledText[] {
  const rows: LabelledText[] = [];
  const lines = content.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!.replace(/\r$/u, '');
    if (line === '') continue;
    const columns = line.split('\t');
    if (columns.length !== 3) {
      throw new GoEmotionsFormatError(`line ${index + 1}: expected 3 tab-separated columns, found ${columns.length}`);
    }
    const [text, labelColumn, id] = columns as [string, string, string];
    const labels = labelColumn.split(',').map(Number);
    if (labels.some((label) => !Number.isInteger(label) || label < 0 || label >= EMOTION_LABELS.length)) {
      throw new GoEmotionsFormatError(`line ${index + 1}: bad label ids "${labelColumn}"`);
    }
    rows.push({ text, labels, id });
  }
  return rows;
}
