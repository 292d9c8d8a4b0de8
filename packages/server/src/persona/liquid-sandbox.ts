import { Liquid, type FS, type Template } from 'liquidjs';
import { SANDBOX_LIMITS } from './sandbox-limits.js';
import { templateError, type TemplateError } from './template-error.js';
import { TEMPLATE_VARIABLES, type SystemTemplateVariables } from './template-variables.js';

/** Refuses every file: system templates are self-contained strings. */
const NO_FILES: FS = {
  exists: () => Promise.resolve(false),
  existsSync: () => false,
  readFile: (file) => Promise.reject(new Error(`a system template can't read files (${file})`)),
  readFileSync: (file) => {
    throw new Error(`a system template can't read files (${file})`);
  },
  resolve: (_dir, file) => file,
  contains: () => Promise.resolve(false),
  containsSync: () => false,
};

/** Tags that load other templates; removed so that parsing one fails with a clear error. */
const FILE_TAGS = ['include', 'render', 'layout', 'block'] as const;

/**
 * A Liquid engine for untrusted system templates: no file access (file tags removed, and an fs
 * that refuses as a second wall), unknown variables and filters are errors, only own properties
 * are visible (no `constructor`/`__proto__`), and parse, time and memory are limited.
 * `jsTruthy` makes an empty slot falsy so `{% if memories %}` reads naturally; `lenientIf`
 * lets `{% if visitor.claims.plan %}` and `| default:` test an absent claim.
 */
export function createSandbox(): Liquid {
  const liquid = new Liquid({
    fs: NO_FILES,
    relativeReference: false,
    dynamicPartials: false,
    strictVariables: true,
    strictFilters: true,
    ownPropertyOnly: true,
    lenientIf: true,
    jsTruthy: true,
    parseLimit: SANDBOX_LIMITS.templateChars,
    renderLimit: SANDBOX_LIMITS.renderMs,
    memoryLimit: SANDBOX_LIMITS.memory,
    cache: false,
  });
  for (const tag of FILE_TAGS) delete liquid.tags[tag];
  return liquid;
}

const FIXED_OBJECTS: Readonly<Record<string, readonly string[]>> = {
  avatar: TEMPLATE_VARIABLES.avatar,
  visitor: TEMPLATE_VARIABLES.visitor,
};
const SCALARS: readonly string[] = TEMPLATE_VARIABLES.scalars;
const STRING_PROPERTIES = new Set(['size', 'first', 'last']);
const isTextProperty = (segment: unknown) => typeof segment === 'string' && STRING_PROPERTIES.has(segment);

/**
 * Checks every variable the template reads from outside against the documented names, so a
 * typo fails at save time even inside a branch that a sample render would skip.
 */
export function checkVariables(liquid: Liquid, templates: Template[]): TemplateError | undefined {
  const { globals } = liquid.analyzeSync(templates, { partials: false });
  const found = Object.values(globals)
    .flat()
    .sort((a, b) => a.location.row - b.location.row || a.location.col - b.location.col);
  for (const variable of found) {
    const [root, key, property, ...rest] = variable.segments;
    const path = variable.toString();
    const { row, col } = variable.location;
    if (typeof root !== 'string') continue;
    const keys = FIXED_OBJECTS[root];
    if (keys) {
      if (typeof key !== 'string') continue; // a dynamic key (`avatar[k]`) is checked when rendering
      if (!keys.includes(key)) {
        return templateError(row, col, `unknown variable \`${path}\` (${root} has: ${keys.join(', ')})`, path);
      }
      if (key === 'claims' || property === undefined) continue;
      if (!isTextProperty(property) || rest.length > 0) {
        return templateError(row, col, `unknown variable \`${path}\``, path);
      }
      continue;
    }
    if (!SCALARS.includes(root)) {
      const known = [...Object.keys(FIXED_OBJECTS), ...SCALARS].join(', ');
      return templateError(row, col, `unknown variable \`${path}\` (available: ${known})`, path);
    }
    if (key !== undefined && (!isTextProperty(key) || property !== undefined)) {
      return templateError(row, col, `unknown variable \`${path}\` (${root} is text)`, path);
    }
  }
  return undefined;
}

/** Renders parsed templates within the limits; throws what liquidjs throws, or an output-length error. */
export function renderWithin(liquid: Liquid, templates: Template[], variables: SystemTemplateVariables): string {
  const output: unknown = liquid.renderSync(templates, variables);
  const text = typeof output === 'string' ? output : String(output);
  // Ropes keep an oversized result cheap until flattened; measure before touching the characters.
  if (text.length > SANDBOX_LIMITS.outputChars) {
    throw new Error(`the rendered system message is longer than ${SANDBOX_LIMITS.outputChars} characters`);
  }
  return tidy(text);
}

/** Trims line ends and folds runs of blank lines (left by empty sections) into one. */
function tidy(text: string): string {
  const lines = text.split('\n').map((line) => line.trimEnd());
  const out: string[] = [];
  for (const line of lines) {
    if (line === '' && (out.length === 0 || out[out.length - 1] === '')) continue;
    out.push(line);
  }
  return out.join('\n').trim();
}
