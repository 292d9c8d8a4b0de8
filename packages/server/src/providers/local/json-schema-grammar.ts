/**
 * A GBNF grammar (llama.cpp's grammar format) for a JSON schema, in canonical compact form: no
 * whitespace between tokens, properties in the schema's order, all required, and only the string
 * escapes `JSON.stringify` writes. node-llama-cpp's own `createGrammarForJsonSchema` allows free
 * whitespace and newlines, so a reply re-encoded for the next turn's history would not match the
 * tokens the model produced, and the conversation's KV cache would be re-read from that point on.
 * Here `JSON.stringify(parsed)` gives back the very bytes generated.
 *
 * Supported: objects (ordered properties), strings (with `enum` or `const`), numbers, integers,
 * booleans, arrays of any supported schema. Anything else throws, so a schema the grammar can't
 * honour fails loudly at startup instead of generating the wrong shape.
 */
export function jsonSchemaToGbnf(schema: Record<string, unknown>): string {
  const rules = new Map<string, string>([
    // Characters JSON.stringify writes as themselves (no control characters, quote or backslash),
    // or the escapes it uses for the common control characters.
    ['char', String.raw`[^"\\\x00-\x1f] | "\\" ["\\nrt]`],
    ['string', String.raw`"\"" char* "\""`],
    ['integer', String.raw`"-"? ("0" | [1-9] [0-9]{0,15})`],
    ['number', String.raw`integer ("." [0-9]{1,15})?`],
    ['boolean', String.raw`"true" | "false"`],
  ]);
  let counter = 0;
  const rule = (body: string): string => {
    const name = `r${counter++}`;
    rules.set(name, body);
    return name;
  };

  const visit = (node: Record<string, unknown>, path: string): string => {
    if (Array.isArray(node.enum) || node.const !== undefined) {
      const values = Array.isArray(node.enum) ? node.enum : [node.const];
      return rule(values.map((v) => literal(JSON.stringify(v))).join(' | '));
    }
    switch (node.type) {
      case 'string':
        return 'string';
      case 'integer':
        return 'integer';
      case 'number':
        return 'number';
      case 'boolean':
        return 'boolean';
      case 'array': {
        const item = visit(asSchema(node.items, `${path}.items`), `${path}[]`);
        return rule(`"[" (${item} ("," ${item})*)? "]"`);
      }
      case 'object': {
        const properties = Object.entries(asSchema(node.properties ?? {}, `${path}.properties`));
        const parts = properties.map(
          ([key, value]) =>
            `${literal(JSON.stringify(key) + ':')} ${visit(asSchema(value, `${path}.${key}`), `${path}.${key}`)}`,
        );
        return rule(['"{"', parts.join(' "," '), '"}"'].filter(Boolean).join(' '));
      }
      default:
        throw new Error(`jsonSchemaToGbnf: unsupported schema at ${path}: ${JSON.stringify(node).slice(0, 120)}`);
    }
  };

  const root = visit(schema, '$');
  return [`root ::= ${root}`, ...[...rules].map(([name, body]) => `${name} ::= ${body}`)].join('\n');
}

function asSchema(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`jsonSchemaToGbnf: expected a schema object at ${path}`);
  }
  return value as Record<string, unknown>;
}

/** A GBNF string literal for exact text. */
function literal(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
