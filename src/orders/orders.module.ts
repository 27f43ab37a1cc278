import { Module } from '@nestjs/common';

/** Orders: see design.md (built by later issues). */
@Module({})
export class OrdersModule {}
