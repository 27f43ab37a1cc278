import type { EntityManager } from 'typeorm';

/**
 * The reprint window of an order's codes (CODES_REPRINT_WINDOW_DAYS): it opens when the
 * FIRST letter of the codes of the order is printed and closes that many days later, however
 * many reprints there were since (a reprint never reopens it). Past it the codes are destroyed
 * (MailingBatchesService.sweepCodes), pending reprint requests included; a request or an
 * approval checks it first. SQL only: nothing is opened, no vault key is needed (the API may
 * call it). The sweep finds the orders past their window with the same expression.
 */
export interface ReprintWindow {
  /** Whether a reprint may still be asked for or approved at `now`. */
  open: boolean;
  /** When the window closes (the first printing + the window), null while no letter of the codes was printed (it has not opened). */
  closesAt: Date | null;
}

/** When the window of an order closes, from its letters of the codes (`l`): the first printing + `days`. */
export const WINDOW_CLOSES_SQL = (days: string) => `min(l.printed_at) + make_interval(days => ${days})`;

/** The reprint window of `orderId` at `now` (see ReprintWindow), in the caller's transaction. */
export async function reprintWindow(em: EntityManager, orderId: string, now: Date, windowDays: number): Promise<ReprintWindow> {
  const [row]: Array<{ closes_at: Date | null }> = await em.query(
    `SELECT ${WINDOW_CLOSES_SQL('$2::int')} AS closes_at FROM mailing_letter l
      WHERE l.order_id = $1 AND l.kind = 'pin-letter' AND l.printed_at IS NOT NULL`,
    [orderId, windowDays],
  );
  const closesAt = row?.closes_at ?? null;
  return { open: closesAt === null || now.getTime() < closesAt.getTime(), closesAt };
}
