/** Daily jobs (CRL, expiry, renewals, mailing): kept for a while, and retried (a day without a fresh CRL would leave relying parties with a stale one). */
export const DAILY_JOB_OPTIONS = {
  removeOnComplete: { count: 100 },
  removeOnFail: { count: 100 },
  attempts: 6,
  backoff: { type: 'exponential', delay: 60_000 },
};
