import { EncoderStationRow } from './card-personalization/encoder-station.entity';
import { AuditCheckpointRow, AuditSigningKey } from './common/audit/audit-checkpoint.entity';
import { AuditChainLink, AuditEntry, AuditQueueItem } from './common/audit/audit-entry.entity';
import { ApiToken } from './common/auth/api-token.entity';
import { ConsoleAccount } from './common/auth/console-account.entity';
import { ConsoleSession } from './common/auth/console-session.entity';
import { PrincipalAccount } from './common/auth/principal.entity';
import { JobRun } from './common/jobs/job-run.entity';
import { DatabaseIdentity, OutboxMessage } from './common/outbox/outbox-message.entity';
/** Every entity of every module (the data source is built from this list, not from globs). */
import { MailingBatch, MailingLetter, MailingReprintRequest } from './mailing/mailing.entities';
import { OrderCodes } from './mailing/order-codes.entity';
import { CrlPublication, CrlPublicationPart, Opposition } from './opposition/opposition.entity';
import { Card, OppositionRequest, SpoiledCard } from './orders/card.entity';
import { CardOrder, ConsumedRegistryEvent, OrderIdempotencyKey, RenewalRun } from './orders/card-order.entity';
import { Profession, Professional, Situation } from './rpps/professional.entity';
import { IdentifierMigration, RegistryEvent } from './rpps/registry-event.entity';
import { RppsImport, RppsReject } from './rpps/rpps-import.entity';

export const ENTITIES = [
  PrincipalAccount,
  ApiToken,
  ConsoleAccount,
  ConsoleSession,
  AuditEntry,
  AuditQueueItem,
  AuditChainLink,
  AuditCheckpointRow,
  AuditSigningKey,
  JobRun,
  OutboxMessage,
  DatabaseIdentity,
  RppsImport,
  RppsReject,
  Professional,
  Profession,
  Situation,
  RegistryEvent,
  IdentifierMigration,
  CardOrder,
  Card,
  OrderIdempotencyKey,
  ConsumedRegistryEvent,
  OppositionRequest,
  SpoiledCard,
  RenewalRun,
  Opposition,
  CrlPublication,
  CrlPublicationPart,
  EncoderStationRow,
  OrderCodes,
  MailingBatch,
  MailingLetter,
  MailingReprintRequest,
];
