import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Roles } from '../common/auth/roles.decorator';
import { isNationalIdShape } from '../rpps/identifiers';
import { RppsService } from '../rpps/rpps.service';
import { CardsService } from './cards.service';
import { OrdersError } from './orders.errors';

/** A professional as the helpdesk sees one: the registry's record with the cards (orders owns cards, so the route lives here). */
@ApiTags('registry')
@ApiBearerAuth()
@Controller('api/v1/professionals')
export class ProfessionalsController {
  constructor(
    private readonly rpps: RppsService,
    private readonly cards: CardsService,
  ) {}

  @Get(':nationalId')
  @Roles('operator', 'helpdesk', 'auditor')
  async get(@Param('nationalId') nationalId: string) {
    if (!isNationalIdShape(nationalId)) {
      throw new OrdersError('validation_failed', `nationalId "${nationalId}": expected 0 + 9-digit ADELI or 8 + 11-digit RPPS`, 400);
    }
    const professional = await this.rpps.getProfessional(nationalId);
    return { ...professional, cards: await this.cards.byHolder(nationalId) };
  }
}
