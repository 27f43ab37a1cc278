/** True for a PostgreSQL unique violation (23505), optionally on a given constraint or index. */
export function isUniqueViolation(e: unknown, constraint?: string): boolean {
  const err = e as { code?: string; constraint?: string; driverError?: { code?: string; constraint?: string } };
  const code = err.code ?? err.driverError?.code;
  const name = err.constraint ?? err.driverError?.constraint;
  return code === '23505' && (!constraint || name === constraint);
}
