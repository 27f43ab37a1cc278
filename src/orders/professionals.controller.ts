import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Roles } from '../common/auth/roles.decorator';
import { RppsService } from '../rpps/rpps.service';
import { CardsService } from './cards.service';
import { ProfessionalParams } from './dto/cards.dto';

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
  async get(@Param() { nationalId }: ProfessionalParams) {
    const professional = await this.rpps.getProfessional(nationalId);
    return { ...professional, cards: await this.cards.byHolder(nationalId) };
  }
}
