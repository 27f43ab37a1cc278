/**
 * The value of one sample in a Prometheus text exposition: the line `name{labels} value`, `labels` as
 * written there (`queue="crl",state="active"`), none when omitted. NaN when there is no such line
 * (so check it with Number.isFinite or an exact value: `expect.any(Number)` accepts NaN).
 */
export function metricValue(text: string, name: string, labels?: string): number {
  const sample = labels === undefined ? name : `${name}{${labels}}`;
  const m = new RegExp(`^${sample.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : Number.NaN;
}
