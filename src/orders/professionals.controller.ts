import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Roles } from '../common/auth/roles.decorator';
import { RppsService } from '../rpps/rpps.service';
import { CardsService } from './cards.service';
import { ProfessionalParams } from './dto/cards.dto';
import { ProfessionalDetail } from './dto/views.dto';

/** A professional as the helpdesk sees one: the registry's record with the cards (orders owns cards, so the route lives here). */
@ApiTags('registry')
@ApiBearerAuth()
@Controller('api/v1/professionals')
export class ProfessionalsController {
  constructor(
    private readonly rpps: RppsService,
    private readonly cards: CardsService,
  ) {}

  /**
   * Identity, professions and practice situations (the registry's), their cards (latest first)
   * and the latest 50 registry events that touched them (newest first, each with a short
   * `summary`). 404 `professional_not_found`.
   */
  @Get(':nationalId')
  @Roles('operator', 'helpdesk', 'auditor')
  @ApiOkResponse({ type: ProfessionalDetail.Output })
  async get(@Param() { nationalId }: ProfessionalParams) {
    const professional = await this.rpps.getProfessional(nationalId);
    const [cards, events] = await Promise.all([this.cards.byHolder(nationalId), this.rpps.eventsOf(nationalId)]);
    return { ...professional, cards, events };
  }
}
