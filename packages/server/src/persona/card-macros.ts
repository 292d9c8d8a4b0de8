/** `{{char}}`, `{{user}}` and the legacy `<BOT>`, `<USER>`, any case, spaces allowed inside the braces. */
const MACRO = /\{\{\s*(char|user)\s*\}\}|<(bot|user)>/gi;

/**
 * Fills SillyTavern's name macros in persona text: `{{char}}`/`<BOT>` become the avatar's name,
 * `{{user}}`/`<USER>` the visitor's (capitalised at the start of a sentence, for fallbacks such
 * as "the visitor"). Plain replacement: the text is data and is never run as a template, so a
 * visitor's name can't inject template code.
 */
export function expandCardMacros(text: string, names: { char: string; user: string }): string {
  if (!text.includes('{{') && !text.includes('<')) return text;
  return text.replace(MACRO, (_match, braced: string | undefined, legacy: string | undefined, offset: number) => {
    const name = (braced ?? legacy ?? '').toLowerCase() === 'user' ? names.user : names.char;
    return startsSentence(text, offset) ? name.charAt(0).toUpperCase() + name.slice(1) : name;
  });
}

function startsSentence(text: string, offset: number): boolean {
  let at = offset - 1;
  while (at >= 0 && (text.charAt(at) === ' ' || text.charAt(at) === '\t')) at--;
  return at < 0 || '.!?:\n'.includes(text.charAt(at));
}
