import { Body, Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { AuthedRequest, actorOf } from '../common/auth/auth.guard';
import { Roles } from '../common/auth/roles.decorator';
import { CardsService } from '../orders/cards.service';
import { CHANNELS, DECLARABLE_REASONS, OppositionsService } from './oppositions.service';
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
  @ApiBody({
    schema: {
      type: 'object',
      required: ['reason', 'channel', 'verification'],
      properties: {
        reason: { type: 'string', enum: [...DECLARABLE_REASONS] },
        channel: { type: 'string', enum: [...CHANNELS] },
        verification: { type: 'string', description: "what was checked of the caller's identity" },
        comment: { type: 'string' },
        invalidityDate: {
          type: 'string',
          description: 'loss or theft only: since when the card may have been misused (YYYY-MM-DD or ISO 8601)',
        },
      },
    },
  })
  async declare(
    @Param('cardNumber') cardNumber: string,
    @Body() body: unknown,
    @Req() req: AuthedRequest,
    @Res({ passthrough: true }) res: Response,
  ) {
    const { opposition, created } = await this.oppositions.declare(cardNumber, body, actorOf(req), req.principal?.role ?? '');
    res.status(created ? 201 : 200);
    return { ...opposition, created };
  }

  @Get(':cardNumber/oppositions')
  @Roles('helpdesk', 'operator', 'auditor')
  get(@Param('cardNumber') cardNumber: string) {
    return this.oppositions.get(cardNumber);
  }

  /**
   * valid, opposed (reason, time) or unknown: for relying services' authentication paths.
   * Served by the fast path (status.fast-route.ts) before it reaches Nest; declared here
   * for the OpenAPI document and as the fallback.
   */
  @Get(':cardNumber/status')
  @Roles(...STATUS_ROLES)
  status(@Param('cardNumber') cardNumber: string) {
    return this.cards.status(cardNumber);
  }
}
