import { Module } from '@nestjs/common';
import { EncoderFleetService } from './encoder-fleet.service';

/** CardPersonalization: see design.md. The encoder fleet's rows; the stations come with the worker. */
@Module({
  providers: [EncoderFleetService],
  exports: [EncoderFleetService],
})
export class CardPersonalizationModule {}
