import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Roles } from '../common/auth/roles.decorator';
import { RppsService } from '../rpps/rpps.service';
import { CardsService } from './cards.service';
import { ProfessionalParams } from './dto/cards.dto';
import { SearchAnswer, SearchQuery } from './dto/search.dto';
import { ProfessionalDetail } from './dto/views.dto';
import { SearchService } from './search.service';

/** Professionals as the helpdesk finds and sees them: the registry's records with the cards (orders owns cards, so the routes live here). */
@ApiTags('registry')
@ApiBearerAuth()
@Controller('api/v1')
export class ProfessionalsController {
  constructor(
    private readonly rpps: RppsService,
    private readonly cards: CardsService,
    private readonly searches: SearchService,
  ) {}

  /**
   * Identity, professions and practice situations (the registry's), their cards (latest first)
   * and the latest 50 registry events that touched them (newest first, each with a short
   * `summary`). 404 `professional_not_found`.
   */
  @Get('professionals/:nationalId')
  @Roles('operator', 'helpdesk', 'auditor')
  @ApiOkResponse({ type: ProfessionalDetail.Output })
  async get(@Param() { nationalId }: ProfessionalParams) {
    const professional = await this.rpps.getProfessional(nationalId);
    const [cards, events] = await Promise.all([this.cards.byHolder(nationalId), this.rpps.eventsOf(nationalId)]);
    return { ...professional, cards, events };
  }

  /**
   * The console's search box. `q` is a name (accents, case, apostrophes, hyphens and spaces
   * ignored; each word typed is the start of a word of the name, in order; one word is the
   * start of the last name, several words are read last name first or first name first),
   * which finds professionals in practice, ordered by last name, first name, national id,
   * counted up to 1,000 (`totalIsLowerBound`); or a national identifier (8 + RPPS, 0 + ADELI),
   * an RPPS number (11 digits), an ADELI number (9 digits) or a card number (10 digits), which
   * finds that professional even ceased (`ceased`), with `matchedCard` for a card number.
   * `kind` says which. A `q` of fewer than 2 characters, of digits of no such length, a name that
   * folds to nothing (only apostrophes or punctuation) or whose first word has fewer than 2
   * letters or digits once folded, is a 400 `validation_failed` naming q.
   */
  @Get('search')
  @Roles('operator', 'helpdesk', 'auditor')
  @ApiOkResponse({ type: SearchAnswer.Output })
  search(@Query() q: SearchQuery) {
    return this.searches.search(q);
  }
}
