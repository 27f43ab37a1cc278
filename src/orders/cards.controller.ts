import { Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AuthedRequest, actorOf } from '../common/auth/auth.guard';
import { Roles } from '../common/auth/roles.decorator';
import { CardsService } from './cards.service';
import { CardParams, CardsQuery } from './dto/cards.dto';

@ApiTags('cards')
@ApiBearerAuth()
@Controller('api/v1/cards')
export class CardsController {
  constructor(private readonly cards: CardsService) {}

  /** A holder's cards, latest first, one page of them (`page`, `pageSize`), with `total`. */
  @Get()
  @Roles('operator', 'helpdesk', 'auditor')
  list(@Query() q: CardsQuery) {
    return this.cards.listByHolder(q);
  }

  /** Reported by the authentication service: the card was used for the first time. */
  @Post(':cardNumber/activation')
  @HttpCode(200)
  @Roles('batch')
  activate(@Param() { cardNumber }: CardParams, @Req() req: AuthedRequest) {
    return this.cards.activate(cardNumber, actorOf(req));
  }

  @Get(':cardNumber')
  @Roles('operator', 'helpdesk', 'auditor')
  get(@Param() { cardNumber }: CardParams) {
    return this.cards.get(cardNumber);
  }
}
