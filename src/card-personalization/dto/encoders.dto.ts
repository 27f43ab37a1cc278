import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { paging } from '../../common/http/validation';

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
