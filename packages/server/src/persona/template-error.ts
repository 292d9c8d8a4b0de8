import { LiquidError, UndefinedVariableError } from 'liquidjs';
import { SANDBOX_LIMITS } from './sandbox-limits.js';

/** Why a system template can't be used: shown to the author, naming the line and the variable. */
export interface TemplateError {
  code: 'template_error';
  /** Starts with `Line N:`, e.g. "Line 3: unknown variable `visitor.nickname` …". */
  message: string;
  line: number;
  column: number;
  variable?: string;
}

/** Makes a `TemplateError` whose message starts with the line. */
export function templateError(line: number, column: number, detail: string, variable?: string): TemplateError {
  return {
    code: 'template_error',
    message: `Line ${line}: ${detail}`,
    line,
    column,
    ...(variable === undefined ? {} : { variable }),
  };
}

const FILE_TAG = /^tag "(include|render|layout|block)" not found/;

/** Turns whatever liquidjs (or the sandbox) threw into a `TemplateError` an author can act on. */
export function toTemplateError(error: unknown): TemplateError {
  if (!(error instanceof LiquidError)) {
    const detail = error instanceof Error ? error.message : String(error);
    return templateError(1, 1, detail);
  }
  const [line = 1, column = 1] = error.token.getPosition();
  const original = error.originalError;
  if (error instanceof UndefinedVariableError) {
    const variable = readVariableName(original) ?? error.message.replace(/^undefined variable: ([^,]+).*$/s, '$1');
    return templateError(line, column, `unknown variable \`${variable}\``, variable);
  }
  const raw = (original?.message ?? error.message).replace(/, line:\d+, col:\d+$/, '');
  return templateError(line, column, explain(raw));
}

function explain(raw: string): string {
  const fileTag = FILE_TAG.exec(raw);
  if (fileTag) return `\`{% ${fileTag[1]} %}\` is not allowed: a system template can't load other templates or files`;
  const tag = /^tag "([^"]+)" not found/.exec(raw);
  if (tag) return `unknown tag \`{% ${tag[1]} %}\``;
  const filter = /^undefined filter: (.+)$/.exec(raw);
  if (filter) return `unknown filter \`${filter[1]}\``;
  if (raw.startsWith('memory alloc limit exceeded')) {
    return 'the template builds too much data (a loop or filter is far too large)';
  }
  if (raw.startsWith('template render limit exceeded')) {
    return `the template took longer than ${SANDBOX_LIMITS.renderMs} ms to render (a loop is far too large)`;
  }
  if (raw.startsWith('parse length limit exceeded')) {
    return `the template is longer than ${SANDBOX_LIMITS.templateChars} characters`;
  }
  return raw;
}

function readVariableName(error: Error | undefined): string | undefined {
  if (error && 'variableName' in error && typeof error.variableName === 'string') return error.variableName;
  return undefined;
}
