/**
 * The parameters of one statement, numbered as they are added: `p(value)` appends a value and
 * returns its placeholder (`$1`, `$2`, ...). SQL fragments then name values, not positions,
 * and can be composed without renumbering.
 */
export class SqlParams {
  readonly values: unknown[] = [];

  readonly p = (value: unknown): string => {
    this.values.push(value);
    return `$${this.values.length}`;
  };
}

/** Adds a value to a statement's parameters and returns its placeholder (SqlParams.p). */
export type Param = SqlParams['p'];
