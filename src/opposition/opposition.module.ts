import { Module } from '@nestjs/common';

/** Opposition: see design.md (built by later issues). */
@Module({})
export class OppositionModule {}
