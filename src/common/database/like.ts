/**
 * A LIKE/ILIKE pattern that matches values starting with `text`, taken literally: `%`, `_`
 * and the escape character `\` in it match themselves (use it with `LIKE $n ESCAPE '\'`).
 */
export function likePrefix(text: string): string {
  return `${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
