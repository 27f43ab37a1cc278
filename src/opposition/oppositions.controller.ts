import { Body, Controller, Get, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { AuthedRequest, actorOf } from '../common/auth/auth.guard';
import { Roles } from '../common/auth/roles.decorator';
import { PrincipalThrottlerGuard } from '../common/http/principal-throttler.guard';
import { CardsService } from '../orders/cards.service';
import { CardParams } from '../orders/dto/cards.dto';
import { CardStatusAnswer } from '../orders/dto/views.dto';
import { DeclareOppositionBody } from './dto/declare-opposition.dto';
import { DeclaredOpposition, OppositionAnswer } from './dto/opposition-views.dto';
import { OppositionsService } from './oppositions.service';
import { STATUS_ROLES } from './status.fast-route';

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
  @UseGuards(PrincipalThrottlerGuard)
  @ApiCreatedResponse({
    type: DeclaredOpposition.Output,
    description: 'the card opposed now, and its replacement ordered when the reason calls for one',
  })
  @ApiOkResponse({ type: DeclaredOpposition.Output, description: 'the card was opposed before: its opposition, nothing recorded now' })
  async declare(
    @Param() { cardNumber }: CardParams,
    @Body() body: DeclareOppositionBody,
    @Req() req: AuthedRequest,
    @Res({ passthrough: true }) res: Response,
  ) {
    const { opposition, created } = await this.oppositions.declare(
      cardNumber,
      this.oppositions.toDeclaration(body),
      actorOf(req),
      req.principal?.role ?? '',
    );
    res.status(created ? 201 : 200);
    return { ...opposition, created };
  }

  /** The card's opposition; 404 `opposition_not_found` when it has none. */
  @Get(':cardNumber/oppositions')
  @Roles('helpdesk', 'operator', 'auditor')
  @ApiOkResponse({ type: OppositionAnswer.Output })
  get(@Param() { cardNumber }: CardParams) {
    return this.oppositions.get(cardNumber);
  }

  /**
   * valid, opposed (reason, time) or unknown: for relying services' authentication paths.
   * Served by the fast path (status.fast-route.ts) before it reaches Nest; declared here
   * for the OpenAPI document and as the fallback.
   */
  @Get(':cardNumber/status')
  @Roles(...STATUS_ROLES)
  @ApiOkResponse({ type: CardStatusAnswer.Output })
  status(@Param() { cardNumber }: CardParams) {
    return this.cards.status(cardNumber);
  }
}
