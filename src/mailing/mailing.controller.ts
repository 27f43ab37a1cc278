import { Body, Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AuthedRequest, actorOf } from '../common/auth/auth.guard';
import { Roles } from '../common/auth/roles.decorator';
import { CommonError } from '../common/errors/domain-error';
import { OrderActor } from '../orders/orders.service';
import { MailingIdParams, ReprintBody } from './dto/mailing.dto';
import { MailingLettersService } from './mailing-letters.service';

/** What operators record about the letters once their batch exists (the batches are made by the worker and mailing:batch). */
@ApiTags('mailing')
@ApiBearerAuth()
@Controller('api/v1/mailing')
export class MailingController {
  constructor(private readonly letters: MailingLettersService) {}

  /** The batch was printed: its letters printed; for card letters, their cards sent. */
  @Post('batches/:id/printed')
  @HttpCode(200)
  @Roles('operator')
  printed(@Param() { id }: MailingIdParams, @Req() req: AuthedRequest) {
    return this.letters.printed(id, actorFor(req));
  }

  /** Returned mail: the card opposed (non-receipt) and a replacement ordered. */
  @Post('letters/:id/returned')
  @HttpCode(200)
  @Roles('operator')
  returned(@Param() { id }: MailingIdParams, @Req() req: AuthedRequest) {
    return this.letters.returned(id, actorFor(req));
  }

  /** Asks that a printed PIN letter be printed again, within the reprint window; another operator decides. */
  @Post('letters/:id/reprint')
  @HttpCode(201)
  @Roles('operator')
  reprint(@Param() { id }: MailingIdParams, @Body() body: ReprintBody, @Req() req: AuthedRequest) {
    return this.letters.requestReprint(id, actorFor(req), body.reason);
  }

  @Post('reprints/:id/approve')
  @HttpCode(200)
  @Roles('operator')
  approve(@Param() { id }: MailingIdParams, @Req() req: AuthedRequest) {
    return this.letters.decideReprint(id, actorFor(req), true);
  }

  @Post('reprints/:id/reject')
  @HttpCode(200)
  @Roles('operator')
  reject(@Param() { id }: MailingIdParams, @Req() req: AuthedRequest) {
    return this.letters.decideReprint(id, actorFor(req), false);
  }
}

function actorFor(req: AuthedRequest): OrderActor {
  if (!req.principal) throw new CommonError('unauthenticated', 'no principal on this request', 401);
  return { actor: actorOf(req), principalId: req.principal.principalId, kind: req.principal.kind };
}
