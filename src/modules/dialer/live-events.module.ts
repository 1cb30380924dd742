import { Global, Module } from '@nestjs/common';
import { CLOCK, systemClock } from '../../common/clock';
import { LiveEventBus } from './live-events';

/** The live event bus (in-process + Redis pub/sub) and the clock, for every module that pushes live events. */
@Global()
@Module({
  providers: [LiveEventBus, { provide: CLOCK, useValue: systemClock }],
  exports: [LiveEventBus, CLOCK],
})
export class LiveEventsModule {}
