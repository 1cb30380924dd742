import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggingModule } from './common/logging/logger.module';
import { QueueModule } from './common/queue/queue.module';
import { RedisModule } from './common/redis/redis.module';
import { APP_CONFIG, AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { EnvSchema } from './config/env.schema';
import { serviceTimeouts } from './database/pg-timeouts';
import { typeOrmOptions } from './database/typeorm-options';

/** What both entry points share: validated config, logs, PostgreSQL, Redis, BullMQ. */
@Module({})
export class CoreModule {
  static forRoot(config: EnvSchema): DynamicModule {
    return {
      module: CoreModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule,
        TypeOrmModule.forRootAsync({ inject: [APP_CONFIG], useFactory: (c: AppConfig) =>
            typeOrmOptions(c.DATABASE_URL, serviceTimeouts(c.DATABASE_STATEMENT_TIMEOUT_MS, c.DATABASE_CONNECT_TIMEOUT_MS)),
        }),
        RedisModule,
        QueueModule,
      ],
      exports: [ConfigModule, TypeOrmModule, RedisModule, QueueModule],
    };
  }
}
