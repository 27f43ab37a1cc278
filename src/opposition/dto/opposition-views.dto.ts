import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { at, nullableText } from '../../common/http/answers';
import { CHANNELS } from '../oppositions.service';

// What the opposition routes answer (the OpenAPI document's response schemas), as JSON.

const OPPOSITION_REASONS = ['expiry', 'loss', 'theft', 'malfunction', 'non-receipt', 'cessation', 'replacement'] as const;

/** A card's opposition (src/opposition/oppositions.service.ts, OppositionView). */
const oppositionView = z.strictObject({
  id: z.string(),
  cardNumber: z.string(),
  reason: z.enum(OPPOSITION_REASONS).nullable().describe('null only for a card the old base handed over opposed, without its reason'),
  source: z.enum(['helpdesk', 'operator', 'registry', 'system', 'import']).describe('who recorded it'),
  channel: z.enum([...CHANNELS, 'import', 'returned-mail']).describe('how it reached them'),
  declaredBy: z.string(),
  verification: nullableText('what was checked of the caller’s identity (a declaration)'),
  comment: nullableText('the declarer’s comment'),
  opposedAt: at,
  invalidityDate: at.nullable().describe('loss or theft: since when the card may have been misused'),
  replacementOrderId: z.uuid().nullable().describe('the order of its replacement card, when one was made'),
});

/** GET /api/v1/cards/:cardNumber/oppositions. */
export class OppositionAnswer extends createZodDto(oppositionView) {}

/** What POST /api/v1/cards/:cardNumber/oppositions answers: 201 the new opposition, 200 the existing one. */
export class DeclaredOpposition extends createZodDto(
  oppositionView.extend({
    created: z.boolean().describe('false: the card was opposed before, and this is its opposition (nothing recorded now)'),
  }),
) {}

const publication = {
  crlNumber: z.number().int(),
  entries: z.number().int().describe('the oppositions it lists'),
  thisUpdate: at,
  nextUpdate: at.describe('when the next one is due at the latest'),
  sha256: z.string().describe('of its DER bytes, hex'),
  bytes: z.number().int(),
  publishedAt: at,
};

/** GET /api/v1/crls. */
export class CrlsAnswer extends createZodDto(
  z.strictObject({
    latest: z
      .strictObject({
        ...publication,
        deltaCrlNumber: z.number().int().optional().describe('the delta CRL served with it (based on it), when there is one'),
        deltaEntries: z.number().int().optional().describe('the oppositions that delta adds'),
      })
      .nullable()
      .describe('the full CRL served now (GET /opposition/crl); null before the first is published'),
    history: z
      .array(
        z.strictObject({
          ...publication,
          kind: z.enum(['full', 'delta']),
          baseCrlNumber: z.number().int().nullable().describe('a delta: the full CRL it adds to'),
          publishedBy: z.string(),
        }),
      )
      .describe('the latest 20 publications, full and delta, newest first'),
    links: z
      .strictObject({
        crl: z.literal('/opposition/crl'),
        deltaCrl: z.literal('/opposition/delta-crl'),
        issuerCertificate: z.literal('/opposition/issuer.crt'),
      })
      .describe('where relying parties download them (no token): DER, and the issuer’s certificate in PEM'),
  }),
) {}
