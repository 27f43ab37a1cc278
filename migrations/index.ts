import { Foundation1764160000000 } from './1764160000000-Foundation';
import { OrdersAndCards1764170000000 } from './1764170000000-OrdersAndCards';
import { AuditChainNext1764180000000 } from './1764180000000-AuditChainNext';
import { Opposition1764190000000 } from './1764190000000-Opposition';
import { Principals1764200000000 } from './1764200000000-Principals';
import { AuditSequencer1764200100000 } from './1764200100000-AuditSequencer';
import { CrlInDatabase1764200200000 } from './1764200200000-CrlInDatabase';
import { OutboxDelivery1764200300000 } from './1764200300000-OutboxDelivery';
import { HeldImportConfirmation1764200500000 } from './1764200500000-HeldImportConfirmation';
import { HeldJobRuns1764200600000 } from './1764200600000-HeldJobRuns';
import { JobRunHeld1764200720000 } from './1764200720000-JobRunHeld';
import { CodeVault1764200800000 } from './1764200800000-CodeVault';
import { EncoderFleet1764200900000 } from './1764200900000-EncoderFleet';
import { PersonalizationClaims1764201000000 } from './1764201000000-PersonalizationClaims';
import { ClaimedChip1764201100000 } from './1764201100000-ClaimedChip';
import { ClaimIndexes1764201200000 } from './1764201200000-ClaimIndexes';
import { SituationAddress1764201310000 } from './1764201310000-SituationAddress';
import { Mailing1764201500000 } from './1764201500000-Mailing';
import { MailingLetterCard1764201600000 } from './1764201600000-MailingLetterCard';
import { MailingCodesSweep1764201700000 } from './1764201700000-MailingCodesSweep';
import { ConsoleAccounts1764201800000 } from './1764201800000-ConsoleAccounts';
import { RegistrySearchKey1764201840000 } from './1764201840000-RegistrySearchKey';
import { Retention1764201900000 } from './1764201900000-Retention';
import { AuditRequestId1764201910000 } from './1764201910000-AuditRequestId';

/** Every migration, in order. TypeORM runs the pending ones at start-up. */
export const MIGRATIONS = [
  Foundation1764160000000,
  OrdersAndCards1764170000000,
  AuditChainNext1764180000000,
  Opposition1764190000000,
  Principals1764200000000,
  AuditSequencer1764200100000,
  CrlInDatabase1764200200000,
  OutboxDelivery1764200300000,
  HeldImportConfirmation1764200500000,
  HeldJobRuns1764200600000,
  JobRunHeld1764200720000,
  CodeVault1764200800000,
  EncoderFleet1764200900000,
  PersonalizationClaims1764201000000,
  ClaimedChip1764201100000,
  ClaimIndexes1764201200000,
  SituationAddress1764201310000,
  Mailing1764201500000,
  MailingLetterCard1764201600000,
  MailingCodesSweep1764201700000,
  ConsoleAccounts1764201800000,
  RegistrySearchKey1764201840000,
  Retention1764201900000,
  AuditRequestId1764201910000,
];
