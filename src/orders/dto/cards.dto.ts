import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { cardNumber, nationalId, paging, queryString } from '../../common/http/validation';

export class CardParams extends createZodDto(z.strictObject({ cardNumber })) {}

export class CardsQuery extends createZodDto(z.strictObject({ nationalId: queryString().pipe(nationalId), ...paging })) {}

export class ProfessionalParams extends createZodDto(z.strictObject({ nationalId })) {}
