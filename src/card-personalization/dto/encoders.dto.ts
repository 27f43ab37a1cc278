import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { at, nullableText, pageOf } from '../../common/http/answers';
import { paging } from '../../common/http/validation';
import { ENCODER_DRIVERS, ENCODER_STATES } from '../encoder-station.entity';

export class EncodersQuery extends createZodDto(z.strictObject({ ...paging })) {}

/**
 * A station id, `<host>/<reader>`, sent URL-encoded as one path segment
 * (`encodeURIComponent(id)`: its `/` as `%2F`).
 */
export class EncoderParams extends createZodDto(
  z.strictObject({
    id: z
      .string()
      .min(1, 'expected an encoder station id')
      .max(600, 'at most 600 characters')
      .refine((v) => !/[\u0000-\u001f\u007f]/.test(v), 'must not contain control characters'),
  }),
) {}

// What the encoder routes answer (the OpenAPI document's response schemas), as JSON.

/** A station as GET /api/v1/encoders shows it (src/card-personalization/encoder-fleet.service.ts, EncoderStationView). */
const stationView = z.strictObject({
  id: z.string().describe('`<host>/<reader>`'),
  host: z.string(),
  reader: z.string().describe('the PC/SC reader name (or the simulated reader’s)'),
  driver: z.enum(ENCODER_DRIVERS),
  processId: nullableText('`<host>:<pid>` of the worker process that runs it; null once it stopped cleanly'),
  state: z
    .enum(ENCODER_STATES)
    .describe('offline when its process stopped or has not beaten for 3 heartbeats; error waits for an operator’s reset'),
  stoppedIn: z.enum(ENCODER_STATES).nullable().describe('offline: what it was doing when it stopped (null: it stopped cleanly)'),
  orderId: z.uuid().nullable().describe('the order being written'),
  cardsDone: z.number().int(),
  cardsFailed: z.number().int(),
  consecutiveFailures: z.number().int().describe('failures in a row (error past ENCODER_MAX_CONSECUTIVE_FAILURES)'),
  lastError: nullableText('why its last card failed'),
  lastErrorAt: at.nullable(),
  startedAt: at,
  heartbeatAt: at,
  resetBy: nullableText('who last reset it'),
  resetAt: at.nullable(),
});

/** GET /api/v1/encoders. */
export class EncodersPage extends createZodDto(pageOf(stationView)) {}

/** What POST /api/v1/encoders/:id/reset answers: the station, back to work. */
export class EncoderStationAnswer extends createZodDto(stationView) {}
