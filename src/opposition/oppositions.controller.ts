import { Body, Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { actorOf, AuthedRequest } from '../common/auth/auth.guard';
import { Roles } from '../common/auth/roles.decorator';
import { CardsService } from '../orders/cards.service';
import { OppositionsService } from './oppositions.service';

@ApiTags('opposition')
@ApiBearerAuth()
@Controller('api/v1/cards')
export class OppositionsController {
  constructor(
    private readonly oppositions: OppositionsService,
    private readonly cards: CardsService,
  ) {}

  /** Declares a card opposed (final). 201 with the new opposition; 200 with the existing one when the card already is. */
  @Post(':cardNumber/oppositions')
  @Roles('helpdesk', 'operator')
  async declare(@Param('cardNumber') cardNumber: string, @Body() body: unknown, @Req() req: AuthedRequest, @Res({ passthrough: true }) res: Response) {
    const { opposition, created } = await this.oppositions.declare(cardNumber, body, actorOf(req), req.principal?.role ?? '');
    res.status(created ? 201 : 200);
    return { ...opposition, created };
  }

  @Get(':cardNumber/oppositions')
  @Roles('helpdesk', 'operator', 'auditor')
  get(@Param('cardNumber') cardNumber: string) {
    return this.oppositions.get(cardNumber);
  }

  /** valid, opposed (reason, time) or unknown: for relying services' authentication paths. */
  @Get(':cardNumber/status')
  @Roles('operator', 'helpdesk', 'batch', 'auditor')
  status(@Param('cardNumber') cardNumber: string) {
    return this.cards.status(cardNumber);
  }
}
