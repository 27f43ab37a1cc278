import { Module } from '@nestjs/common';
import { EncoderFleetService } from './encoder-fleet.service';
import { EncodersController } from './encoders.controller';

/** CardPersonalization: see design.md. The encoder fleet (its rows, GET /api/v1/encoders); the stations come with the worker. */
@Module({
  controllers: [EncodersController],
  providers: [EncoderFleetService],
  exports: [EncoderFleetService],
})
export class CardPersonalizationModule {}
