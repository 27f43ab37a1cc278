import { CARD_PERSONALIZATION_ERROR_CODES, CardPersonalizationError } from './card-personalization/card-personalization.errors';
import { PCSC_ERROR_CODES, PcscError } from './card-personalization/pcsc/pcsc-errors';
import { CONSOLE_AUTH_ERROR_CODES, ConsoleAuthError } from './common/auth/console-auth.errors';
import { ServiceUnreachableError } from './common/cli/preflight';
import { MIGRATIONS_ERROR_CODES, MigrationsError } from './common/database/migrations';
import { COMMON_ERROR_CODES, CommonError } from './common/errors/domain-error';
import { JOBS_ERROR_CODES, JobsError } from './common/jobs/jobs.errors';
import { QUEUE_ERROR_CODES, QueueError } from './common/queue/queue.errors';
import { MAILING_ERROR_CODES, MailingError } from './mailing/mailing.errors';
import { OPPOSITION_ERROR_CODES, OppositionError } from './opposition/opposition.errors';
import { ORDERS_ERROR_CODES, OrdersError } from './orders/orders.errors';
import { TransitionError } from './orders/workflow';
import { RPPS_ERROR_CODES, RppsError } from './rpps/rpps.errors';

/**
 * Every domain error class and every code it throws, in one place (its subclasses, such as
 * CardStatusError, take their parent's titles). A new error class is added here: a unit
 * test (domain-errors.spec.ts) finds every subclass of DomainError in src and fails on one
 * missing here, and checks that each code has a title a person reads.
 */
export const DOMAIN_ERRORS: ReadonlyArray<{
  errorClass: { readonly name: string; readonly titles: Readonly<Record<string, string>> };
  codes: readonly string[];
}> = [
  { errorClass: CommonError, codes: COMMON_ERROR_CODES },
  { errorClass: OrdersError, codes: ORDERS_ERROR_CODES },
  { errorClass: TransitionError, codes: ['transition_not_allowed'] },
  { errorClass: RppsError, codes: RPPS_ERROR_CODES },
  { errorClass: OppositionError, codes: OPPOSITION_ERROR_CODES },
  { errorClass: QueueError, codes: QUEUE_ERROR_CODES },
  { errorClass: JobsError, codes: JOBS_ERROR_CODES },
  { errorClass: ServiceUnreachableError, codes: ['service_unavailable'] },
  { errorClass: CardPersonalizationError, codes: CARD_PERSONALIZATION_ERROR_CODES },
  { errorClass: PcscError, codes: PCSC_ERROR_CODES },
  { errorClass: MailingError, codes: MAILING_ERROR_CODES },
  { errorClass: ConsoleAuthError, codes: CONSOLE_AUTH_ERROR_CODES },
  { errorClass: MigrationsError, codes: MIGRATIONS_ERROR_CODES },
];
