const OPEN_ARRAY = 0x5b; // [
const OPEN_OBJECT = 0x7b; // {
const CLOSE_ARRAY = 0x5d; // ]
const CLOSE_OBJECT = 0x7d; // }
const QUOTE = 0x22; // "
const BACKSLASH = 0x5c; // \

/** The deepest nesting of arrays and objects a JSON body may have: far beyond any body our APIs take. */
export const MAX_JSON_DEPTH = 64;

/**
 * True when the JSON text nests arrays and objects deeper than `maxDepth`, found by one pass over its bytes
 * (brackets inside strings do not count), without recursion: a body such as 60 KB of `[` is refused before
 * anything that recurses over the parsed value (validation, serialisation) can overflow the stack.
 * Bytes of multi-byte UTF-8 characters are all >= 0x80, so they never look like brackets or quotes.
 */
export function jsonDeeperThan(body: Buffer, maxDepth = MAX_JSON_DEPTH): boolean {
  // Most bodies (an image in base64, a key's name) hold a handful of brackets: nothing to scan.
  if (!hasMoreBrackets(body, maxDepth)) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i];
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_ARRAY || byte === OPEN_OBJECT) {
      if (++depth > maxDepth) return true;
    } else if (byte === CLOSE_ARRAY || byte === CLOSE_OBJECT) {
      depth--;
    }
  }
  return false;
}

/** Whether the body holds more than `count` opening brackets, counted with the native byte search. */
function hasMoreBrackets(body: Buffer, count: number): boolean {
  let seen = 0;
  for (const bracket of [OPEN_ARRAY, OPEN_OBJECT]) {
    for (let at = body.indexOf(bracket); at !== -1; at = body.indexOf(bracket, at + 1)) {
      if (++seen > count) return true;
    }
  }
  return false;
}
