/**
 * Shell-style pattern matching as fnmatch(3) does it without flags: `*` and `?` also match
 * `/`, `[...]` classes with `!` or `^` negation and ranges, and backslash escapes.
 * Runs in O(pattern × text) at worst, so no pattern can stall the event path.
 */

/** Whether `text` matches the whole `pattern`. */
export function globMatch(pattern: string, text: string, caseInsensitive = false): boolean {
  if (caseInsensitive) {
    pattern = pattern.toLowerCase();
    text = text.toLowerCase();
  }
  let p = 0;
  let t = 0;
  let starPattern = -1;
  let starText = 0;
  while (t < text.length) {
    const step = p < pattern.length ? matchOne(pattern, p, text[t]) : -1;
    if (pattern[p] === '*') {
      starPattern = ++p;
      starText = t;
    } else if (step > 0) {
      p = step;
      t++;
    } else if (starPattern >= 0) {
      p = starPattern;
      t = ++starText;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

/**
 * Matches one text character against the pattern item at `p`; returns the index after the
 * item on success, -1 on a mismatch or for `*` (handled by the caller).
 */
function matchOne(pattern: string, p: number, char: string): number {
  const item = pattern[p];
  if (item === '*') return -1;
  if (item === '?') return p + 1;
  if (item === '[') {
    const end = matchClass(pattern, p, char);
    if (end !== undefined) return end;
  }
  if (item === '\\' && p + 1 < pattern.length) {
    return pattern[p + 1] === char ? p + 2 : -1;
  }
  return item === char ? p + 1 : -1;
}

/**
 * Matches `char` against the bracket class starting at `start`. Returns the index after the
 * class on a match, -1 on a mismatch, or undefined when the class is unterminated (then `[`
 * is an ordinary character, as fnmatch treats it).
 */
function matchClass(pattern: string, start: number, char: string): number | undefined {
  let i = start + 1;
  const negated = pattern[i] === '!' || pattern[i] === '^';
  if (negated) i++;
  let matched = false;
  let first = true;
  while (i < pattern.length && (pattern[i] !== ']' || first)) {
    first = false;
    let low = pattern[i];
    if (low === '\\' && i + 1 < pattern.length) low = pattern[++i];
    let high = low;
    if (pattern[i + 1] === '-' && i + 2 < pattern.length && pattern[i + 2] !== ']') {
      high = pattern[i + 2] === '\\' && i + 3 < pattern.length ? pattern[i + 3] : pattern[i + 2];
      i += pattern[i + 2] === '\\' ? 3 : 2;
    }
    if (char >= low && char <= high) matched = true;
    i++;
  }
  if (i >= pattern.length) return undefined;
  return matched !== negated ? i + 1 : -1;
}
