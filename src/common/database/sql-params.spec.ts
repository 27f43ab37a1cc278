import { SqlParams } from './sql-params';

describe(SqlParams.name, () => {
  it('numbers the values in the order they are added, across composed fragments', () => {
    const params = new SqlParams();
    const inner = (p: SqlParams['p']) => `x = ${p('a')} AND y = ${p(2)}`;
    const sql = `${inner(params.p)} OR z = ${params.p(null)}`;
    expect(sql).toBe('x = $1 AND y = $2 OR z = $3');
    expect(params.values).toEqual(['a', 2, null]);
  });
});
