import { Body, Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AuthedRequest } from '../common/auth/auth.guard';
import { Roles } from '../common/auth/roles.decorator';
import { orderActorOf } from '../orders/orders.fast-route';
import {
  BatchDetail,
  BatchesPage,
  BatchesQuery,
  BatchQuery,
  LetterByBarcode,
  LettersQuery,
  MailingIdParams,
  PrintedAnswer,
  ReprintBody,
  ReprintDecided,
  ReprintRequested,
  ReprintsPage,
  ReprintsQuery,
  ReturnedAnswer,
  ReturnedBody,
} from './dto/mailing.dto';
import { MailingLettersService } from './mailing-letters.service';
import { MailingReadsService } from './mailing-reads.service';

/**
 * The batches and their letters read back, and what operators record about the letters once
 * their batch exists (the batches are made by the worker and mailing:batch). A letter of the
 * codes is described by its kind, state, batch, sequence and dates: never its content.
 */
@ApiTags('mailing')
@ApiBearerAuth()
@Controller('api/v1/mailing')
export class MailingController {
  constructor(
    private readonly letters: MailingLettersService,
    private readonly reads: MailingReadsService,
  ) {}

  /** The batches, latest first, one page of them (`page`, `pageSize`), of a `kind` and in a `state` when given. */
  @Get('batches')
  @Roles('operator', 'auditor')
  @ApiOkResponse({ type: BatchesPage.Output })
  batches(@Query() q: BatchesQuery) {
    return this.reads.batches(q);
  }

  /** A batch, its letters counted by state (`counts`), and one page of its letters in their sequence (`letterPage`). 404 `batch_not_found`. */
  @Get('batches/:id')
  @Roles('operator', 'auditor')
  @ApiOkResponse({ type: BatchDetail.Output })
  batch(@Param() { id }: MailingIdParams, @Query() q: BatchQuery) {
    return this.reads.batch(id, q);
  }

  /** Reprint requests, latest first: `state=pending` (the default) lists those waiting for a second person's decision. */
  @Get('reprints')
  @Roles('operator', 'auditor')
  @ApiOkResponse({ type: ReprintsPage.Output })
  reprints(@Query() q: ReprintsQuery) {
    return this.reads.reprints(q);
  }

  /**
   * The letter whose barcode reads `barcode` (`B<batch number>-<sequence>`, as the mail room scans a
   * returned envelope): what it is and where it went, never its content. 404 `letter_not_found`.
   */
  @Get('letters')
  @Roles('operator', 'auditor')
  @ApiOkResponse({ type: LetterByBarcode.Output })
  letter(@Query() q: LettersQuery) {
    return this.reads.letterByBarcode(q.barcode);
  }

  /**
   * The batch was printed: its letters printed; for card letters, their cards sent; the PDF of
   * letters of the codes deleted. 409 `batch_not_due` before the batch's day,
   * `card_letters_not_printed` for letters of the codes whose card letters are not printed yet.
   * `pullOut` lists the letters to take out (card opposed, a letter returned, opposition requested).
   */
  @Post('batches/:id/printed')
  @HttpCode(200)
  @Roles('operator')
  @ApiOkResponse({ type: PrintedAnswer.Output })
  printed(@Param() { id }: MailingIdParams, @Req() req: AuthedRequest) {
    return this.letters.printed(id, orderActorOf(req));
  }

  /**
   * Returned mail: the card opposed (non-receipt) and a replacement ordered, unless the card is
   * already opposed or its opposition requested, or an order is open for it (`reason` says why).
   * Optional body `{barcode, comment}`: a barcode that is not the letter's is a 409
   * `letter_barcode_mismatch` (nothing recorded); the comment goes into the audit trail.
   */
  @Post('letters/:id/returned')
  @HttpCode(200)
  @Roles('operator')
  @ApiBody({ type: ReturnedBody, required: false })
  @ApiOkResponse({ type: ReturnedAnswer.Output })
  returned(@Param() { id }: MailingIdParams, @Body() body: ReturnedBody, @Req() req: AuthedRequest) {
    return this.letters.returned(id, orderActorOf(req), body ?? {});
  }

  /** Asks that a printed PIN letter be printed again, within the reprint window; another operator decides. */
  @Post('letters/:id/reprint')
  @HttpCode(201)
  @Roles('operator')
  @ApiCreatedResponse({ type: ReprintRequested.Output })
  reprint(@Param() { id }: MailingIdParams, @Body() body: ReprintBody, @Req() req: AuthedRequest) {
    return this.letters.requestReprint(id, orderActorOf(req), body.reason);
  }

  @Post('reprints/:id/approve')
  @HttpCode(200)
  @Roles('operator')
  @ApiOkResponse({ type: ReprintDecided.Output })
  approve(@Param() { id }: MailingIdParams, @Req() req: AuthedRequest) {
    return this.letters.decideReprint(id, orderActorOf(req), true);
  }

  @Post('reprints/:id/reject')
  @HttpCode(200)
  @Roles('operator')
  @ApiOkResponse({ type: ReprintDecided.Output })
  reject(@Param() { id }: MailingIdParams, @Req() req: AuthedRequest) {
    return this.letters.decideReprint(id, orderActorOf(req), false);
  }
}
