import { Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AuthedRequest, actorOf } from '../common/auth/auth.guard';
import { Roles } from '../common/auth/roles.decorator';
import { isNationalIdShape } from '../rpps/identifiers';
import { CardsService } from './cards.service';
import { OrdersError } from './orders.errors';

@ApiTags('cards')
@ApiBearerAuth()
@Controller('api/v1/cards')
export class CardsController {
  constructor(private readonly cards: CardsService) {}

  @Get()
  @Roles('operator', 'helpdesk', 'auditor')
  list(@Query('nationalId') nationalId?: string) {
    if (!nationalId || !isNationalIdShape(nationalId)) {
      throw new OrdersError('validation_failed', 'nationalId: expected 8 + 11-digit RPPS or 0 + 9-digit ADELI', 400);
    }
    return this.cards.byHolder(nationalId);
  }

  /** Reported by the authentication service: the card was used for the first time. */
  @Post(':cardNumber/activation')
  @HttpCode(200)
  @Roles('batch')
  activate(@Param('cardNumber') cardNumber: string, @Req() req: AuthedRequest) {
    return this.cards.activate(cardNumber, actorOf(req));
  }

  @Get(':cardNumber')
  @Roles('operator', 'helpdesk', 'auditor')
  get(@Param('cardNumber') cardNumber: string) {
    return this.cards.get(cardNumber);
  }
}
