/** The longest error text kept in a row (last_error, spoiled_card.error), in characters. */
export const ERROR_TEXT_MAX = 500;

/** An error as a row keeps it: one line (control characters made spaces), at most ERROR_TEXT_MAX characters. */
export function errorText(error: string): string {
  const line = error.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim() || 'unknown error';
  const chars = Array.from(line);
  return chars.length <= ERROR_TEXT_MAX ? line : `${chars.slice(0, ERROR_TEXT_MAX - 1).join('')}…`;
}
