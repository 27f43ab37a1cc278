import { ApiToken } from './common/auth/api-token.entity';
import { AuditEntry } from './common/audit/audit-entry.entity';
import { JobRun } from './common/jobs/job-run.entity';
import { OutboxMessage } from './common/outbox/outbox-message.entity';
import { IdentifierMigration, RegistryEvent } from './rpps/registry-event.entity';
import { Profession, Professional, Situation } from './rpps/professional.entity';
import { RppsImport, RppsReject } from './rpps/rpps-import.entity';
import { Card, OppositionRequest } from './orders/card.entity';
import { Opposition, CrlPublication } from './opposition/opposition.entity';
import { CardOrder, ConsumedRegistryEvent, OrderIdempotencyKey, RenewalRun } from './orders/card-order.entity';

/** Every entity of every module (the data source is built from this list, not from globs). */
export const ENTITIES = [
  ApiToken, AuditEntry, JobRun, OutboxMessage,
  RppsImport, RppsReject, Professional, Profession, Situation, RegistryEvent, IdentifierMigration,
  CardOrder, Card, OrderIdempotencyKey, ConsumedRegistryEvent, OppositionRequest, RenewalRun,
  Opposition, CrlPublication,
];
