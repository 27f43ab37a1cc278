import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { Clock } from './clock';

/** Provides the one Clock everywhere: the system's, or the one CLOCK_NOW sets (never in production). */
@Global()
@Module({
  providers: [
    {
      provide: Clock,
      inject: [APP_CONFIG],
      useFactory: (cfg: AppConfig): Clock => (cfg.CLOCK_NOW ? Clock.startingAt(cfg.CLOCK_NOW) : Clock.system()),
    },
  ],
  exports: [Clock],
})
export class ClockModule {}
