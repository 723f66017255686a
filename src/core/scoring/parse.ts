// Reading a rating out of a sampled generation: the first number that lies on the scale. Number
// words ("seven") count too, since small models often spell numbers out.
const WORDS: Record<string, number> = {
  zero: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  eleven: 11, twelve: 12, thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17,
  eighteen: 18, nineteen: 19, twenty: 20,
};
const TOKEN = new RegExp(`(?<![\\d.])-?\\d+(?:\\.\\d+)?|\\b(?:${Object.keys(WORDS).join('|')})\\b`, 'gi');

/** The first number in `text` with min ≤ n ≤ max, or undefined when there is none. */
export function parseRating(text: string, min: number, max: number): number | undefined {
  for (const m of text.matchAll(TOKEN)) {
    const word = WORDS[m[0].toLowerCase()];
    const n = word ?? Number(m[0]);
    if (Number.isFinite(n) && n >= min && n <= max) return n;
  }
  return undefined;
}
