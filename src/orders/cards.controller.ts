import { Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AuthedRequest, actorOf } from '../common/auth/auth.guard';
import { Roles } from '../common/auth/roles.decorator';
import { CardsService } from './cards.service';
import { CardParams, CardsQuery } from './dto/cards.dto';
import { ActivatedCard, CardDetail, CardsPage } from './dto/views.dto';
import { TimelinesService } from './timelines.service';

@ApiTags('cards')
@ApiBearerAuth()
@Controller('api/v1/cards')
export class CardsController {
  constructor(
    private readonly cards: CardsService,
    private readonly timelines: TimelinesService,
  ) {}

  /** A holder's cards, latest first, one page of them (`page`, `pageSize`), with `total`. */
  @Get()
  @Roles('operator', 'helpdesk', 'auditor')
  @ApiOkResponse({ type: CardsPage.Output })
  list(@Query() q: CardsQuery) {
    return this.cards.listByHolder(q);
  }

  /** Reported by the authentication service: the card was used for the first time. */
  @Post(':cardNumber/activation')
  @HttpCode(200)
  @Roles('batch')
  @ApiOkResponse({ type: ActivatedCard.Output })
  activate(@Param() { cardNumber }: CardParams, @Req() req: AuthedRequest) {
    return this.cards.activate(cardNumber, actorOf(req));
  }

  /**
   * The card, its `timeline` (its dated steps, oldest first: ordered, approved, personalized or
   * imported, sent when its card letter was printed, active, opposed with the reason) and its
   * `letters` (kind, state, batch, sequence, dates: never their content). 404 `card_not_found`.
   */
  @Get(':cardNumber')
  @Roles('operator', 'helpdesk', 'auditor')
  @ApiOkResponse({ type: CardDetail.Output })
  get(@Param() { cardNumber }: CardParams) {
    return this.timelines.card(cardNumber);
  }
}
