import { Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { AuthedRequest, actorOf } from '../common/auth/auth.guard';
import { Roles } from '../common/auth/roles.decorator';
import { EncoderParams, EncoderStationAnswer, EncodersPage, EncodersQuery } from './dto/encoders.dto';
import { registerEncoderMetrics } from './encoder-fleet.metrics';
import { EncoderFleetService } from './encoder-fleet.service';

@ApiTags('operations')
@ApiBearerAuth()
@Controller('api/v1/encoders')
export class EncodersController {
  constructor(private readonly fleet: EncoderFleetService) {
    registerEncoderMetrics(fleet);
  }

  /**
   * The encoder stations of every worker process, by id (`<host>/<reader>`), one page of
   * them (`{items, page, pageSize, total, totalIsLowerBound}`): driver, state (`offline` when its process
   * stopped or has not beaten for 3 heartbeats, with `stoppedIn` the state it stopped in),
   * the order being written, cards done and failed, failures in a row, last error.
   */
  @Get()
  @Roles('operator')
  @ApiOkResponse({ type: EncodersPage.Output })
  list(@Query() q: EncodersQuery) {
    return this.fleet.list(q);
  }

  /**
   * Puts a station in error back to work (idle, no failure in a row; audited `encoder.reset`).
   * 404 `encoder_not_found`; 409 `encoder_not_in_error`.
   */
  @Post(':id/reset')
  @HttpCode(200)
  @Roles('operator')
  @ApiOkResponse({ type: EncoderStationAnswer.Output })
  @ApiParam({ name: 'id', description: 'the station id `<host>/<reader>`, URL-encoded (encodeURIComponent: `/` as %2F)' })
  reset(@Param() { id }: EncoderParams, @Req() req: AuthedRequest) {
    return this.fleet.reset(id, actorOf(req));
  }
}
