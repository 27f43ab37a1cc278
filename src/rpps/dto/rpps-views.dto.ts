import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { at, day, jsonObject, nullableText, pageOf } from '../../common/http/answers';
import { REGISTRY_EVENT_KINDS } from '../registry-events';

// What the registry's routes answer (the OpenAPI document's response schemas), as JSON.

const professionLabel = nullableText('the label of the profession (TRE_G15), null for an unlisted code');

/** The registry events of an import, by kind (contract.md). */
const eventCounts = z
  .strictObject(
    Object.fromEntries(REGISTRY_EVENT_KINDS.map((k) => [k, z.number().int()])) as Record<
      (typeof REGISTRY_EVENT_KINDS)[number],
      z.ZodNumber
    >,
  )
  .describe('the registry events, by kind');

const IMPORT_STATUSES = ['running', 'baseline', 'applied', 'unchanged', 'held', 'failed'] as const;

/** An import (src/rpps/rpps.service.ts, IMPORT_COLUMNS). */
const importView = z.strictObject({
  importId: z.uuid(),
  status: z
    .enum(IMPORT_STATUSES)
    .describe('baseline: the first, into an empty registry; held: waits for an operator’s confirmation (see preview)'),
  layout: nullableText('the layout of its Personne_activite file (personne-activite-52 or -56)'),
  asOf: day.nullable().describe('the day of the extract'),
  rowsRead: z.number().int(),
  rowsAccepted: z.number().int(),
  rowsRejected: z.number().int().describe('GET /api/v1/imports/:id/rejects lists them'),
  events: eventCounts.nullable().describe('the registry events it emitted (a held import: would emit), by kind'),
  professionalsBefore: z.number().int().nullable().describe('professionals in practice before it'),
  professionalsAfter: z.number().int().nullable().describe('and after it'),
  error: nullableText('why it failed, or why it is held'),
  actor: z.string(),
  submittedBy: nullableText('the principal that submitted it over the API (it may not confirm it); null: run at the host'),
  preview: z
    .strictObject({
      professionalsBefore: z.number().int(),
      ceased: z.number().int().describe('professionals it would cease'),
      changed: z.number().int().describe('professionals on both sides with a change'),
      added: z.number().int().describe('professionals it would add'),
      events: eventCounts,
      sample: z
        .array(
          z.strictObject({
            nationalId: z.string(),
            kind: z.enum(REGISTRY_EVENT_KINDS),
            professionCode: z.string().optional(),
            professionLabel: professionLabel.optional(),
          }),
        )
        .describe('the first changes, ceased professionals first (at most 20)'),
    })
    .nullable()
    .describe('a held import: what applying it would do'),
  confirmedBy: nullableText('the principal that confirmed it (a held import)'),
  confirmedAt: at.nullable(),
  confirmationJobRunId: z.uuid().nullable().describe('the job applying it once confirmed'),
  confirmsImportId: z.uuid().nullable().describe('on the import that applies a held one: the held import'),
  startedAt: at,
  finishedAt: at.nullable(),
});

/** GET /api/v1/imports. */
export class ImportsPage extends createZodDto(pageOf(importView)) {}

/** GET /api/v1/imports/:id. */
export class ImportDetail extends createZodDto(importView) {}

/** GET /api/v1/imports/:id/rejects. */
export class ImportRejectsPage extends createZodDto(
  pageOf(
    z.strictObject({
      file: z.string().describe('the file it was read from'),
      line: z.number().int().describe('its line number in that file (the header is line 1)'),
      reason: z.string().describe('why it was rejected'),
    }),
  ),
) {}

/** What POST /api/v1/imports answers (201): the job that runs it. */
export class ImportQueued extends createZodDto(
  z.strictObject({
    jobRunId: z.uuid().describe('GET /api/v1/jobs/:id follows it'),
    state: z.literal('queued'),
  }),
) {}

/** What POST /api/v1/imports/:id/confirm answers (202): the held import confirmed, and the job that applies it. */
export class ImportConfirmed extends createZodDto(
  z.strictObject({
    importId: z.uuid(),
    status: z.literal('held').describe('until the job has applied it'),
    confirmedBy: z.string(),
    confirmedAt: at,
    jobRunId: z.uuid().describe('the job that applies it (GET /api/v1/jobs/:id)'),
    state: z.literal('queued'),
    preview: importView.shape.preview,
  }),
) {}

const migrationView = z.strictObject({
  id: z.string(),
  importId: z.uuid().describe('the import that found it'),
  adeliNationalId: z.string(),
  rppsNationalId: z.string(),
  source: z.enum(['correspondence', 'candidate']).describe('correspondence: from the file, applied; candidate: an operator decides'),
  status: z.enum(['pending', 'confirmed', 'rejected', 'applied']),
  lastName: nullableText('the RPPS professional’s name of practice'),
  firstName: nullableText('their first name'),
  decidedBy: nullableText('who confirmed or rejected it'),
  decidedAt: at.nullable(),
  createdAt: at,
});

/** GET /api/v1/registry/migrations. */
export class MigrationsPage extends createZodDto(pageOf(migrationView)) {}

/** What POST /api/v1/registry/migrations/:id/confirm and /reject answer: the migration, decided. */
export class MigrationDecided extends createZodDto(migrationView) {}

/** What a card of a professional and profession carries (src/rpps/rpps.service.ts, CardContent). */
export const cardContentView = z.strictObject({
  nationalId: z.string(),
  civilityPracticeCode: z.string(),
  civilityCode: z.string(),
  lastName: z.string(),
  firstName: z.string(),
  professionCode: z.string(),
  categoryCode: z.string(),
  specialtyTypeCode: z.string(),
  specialtyCode: z.string(),
  situations: z
    .array(
      z.strictObject({
        modeCode: z.string(),
        sectorCode: z.string(),
        structureId: z.string(),
        siret: z.string(),
        finessSite: z.string(),
        siteName: z.string(),
        streetNumber: z.string(),
        streetTypeLabel: z.string(),
        streetLabel: z.string(),
        postalCode: z.string(),
        city: z.string(),
      }),
    )
    .describe('up to 8 practice situations of that profession'),
});

/** A registry event about a professional (src/rpps/rpps.service.ts, eventsOf). */
export const registryEventView = z.strictObject({
  id: z.string(),
  kind: z.enum(REGISTRY_EVENT_KINDS),
  importId: z.uuid().describe('the import that emitted it (or whose candidate migration was decided)'),
  asOf: day.nullable().describe('the day of that import’s extract'),
  createdAt: at,
  professionCode: nullableText('the profession added or removed'),
  professionLabel,
  summary: z.string().describe('what changed, in a few words (English)'),
  details: jsonObject('what changed, as recorded (professions, names before and after, the identifier migrated from...)'),
});

/** A professional as the registry holds them (src/rpps/rpps.service.ts, ProfessionalView). */
export const professionalView = z.strictObject({
  nationalId: z.string(),
  idType: z.string().describe('0: ADELI, 8: RPPS'),
  identifier: z.string(),
  civilityPracticeCode: z.string(),
  civilityCode: z.string(),
  lastName: z.string().describe('the name of practice'),
  firstName: z.string(),
  status: z.enum(['active', 'ceased']),
  ceasedAt: at.nullable(),
  migratedTo: nullableText('the RPPS identifier an ADELI one migrated to'),
  professions: z.array(
    z.strictObject({
      professionCode: z.string(),
      professionLabel,
      categoryCode: z.string(),
      specialtyTypeCode: z.string(),
      specialtyCode: z.string(),
    }),
  ),
  situations: z
    .array(
      z.strictObject({
        professionCode: z.string(),
        professionLabel,
        modeCode: z.string(),
        sectorCode: z.string(),
        siret: z.string(),
        siren: z.string(),
        finessSite: z.string(),
        finessLegal: z.string(),
        structureId: z.string(),
        siteName: z.string(),
        streetNumber: z.string(),
        streetTypeLabel: z.string(),
        streetLabel: z.string(),
        postalCode: z.string(),
        city: z.string(),
        cedex: z.string(),
        registrationAuthority: z.string(),
        recipientComplement: z.string(),
        geoComplement: z.string(),
        repetitionIndex: z.string(),
        distributionMention: z.string(),
        countryCode: z.string(),
        countryLabel: z.string(),
      }),
    )
    .describe('practice situations, in the order of the extract ("" for a field the extract leaves empty)'),
});
