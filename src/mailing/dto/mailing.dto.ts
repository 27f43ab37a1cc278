import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { freeText, uuid } from '../../common/http/validation';

export class MailingIdParams extends createZodDto(z.strictObject({ id: uuid })) {}

/** Why a PIN letter is printed again (kept with the request and in the audit trail). */
export class ReprintBody extends createZodDto(z.strictObject({ reason: freeText(1000) })) {}
