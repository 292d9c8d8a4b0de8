/**
 * V3 lorebook decorators: `@@name value` lines at the start of an entry's content. The ones that
 * decide activation are honoured; all of them are stripped from the content before it reaches a
 * prompt, as V3 requires. An unknown decorator falls back to the `@@@` lines right after it.
 */
export interface EntryDecorators {
  activate: boolean;
  dontActivate: boolean;
  scanDepth?: number;
  additionalKeys: string[];
  excludeKeys: string[];
}

const KNOWN = new Set(['activate', 'dont_activate', 'scan_depth', 'additional_keys', 'exclude_keys']);
const LINE = /^(@{2,3})([a-z_]+)(?:\s+(.*))?$/;

export function parseDecorators(content: string): { decorators: EntryDecorators; content: string } {
  const decorators: EntryDecorators = { activate: false, dontActivate: false, additionalKeys: [], excludeKeys: [] };
  if (!content.startsWith('@@')) return { decorators, content };
  const lines = content.split(/\r?\n/);
  const seen = new Set<string>();
  let index = 0;
  let needFallback = false;
  for (; index < lines.length; index++) {
    const match = LINE.exec(lines[index]!.trim());
    if (!match) break;
    const [, ats, name = '', value = ''] = match;
    const isFallback = ats === '@@@';
    if (isFallback && !needFallback) continue;
    if (!KNOWN.has(name)) {
      needFallback = true;
      continue;
    }
    needFallback = false;
    if (seen.has(name)) continue;
    seen.add(name);
    apply(decorators, name, value.trim());
  }
  return {
    decorators,
    content: lines
      .slice(index)
      .join('\n')
      .replace(/^\s*\n/, ''),
  };
}

function apply(decorators: EntryDecorators, name: string, value: string): void {
  const list = () =>
    value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item.length > 0);
  switch (name) {
    case 'activate':
      decorators.activate = true;
      break;
    case 'dont_activate':
      decorators.dontActivate = true;
      break;
    case 'scan_depth': {
      const depth = Number(value);
      if (Number.isInteger(depth) && depth >= 0) decorators.scanDepth = depth;
      break;
    }
    case 'additional_keys':
      decorators.additionalKeys = list();
      break;
    case 'exclude_keys':
      decorators.excludeKeys = list();
      break;
  }
}
