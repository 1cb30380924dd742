import { DynamicModule, Global, Module } from '@nestjs/common';
import { APP_CONFIG } from './app-config';
import { EnvSchema } from './env.schema';

@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: EnvSchema): DynamicModule {
    return { module: ConfigModule, providers: [{ provide: APP_CONFIG, useValue: config }], exports: [APP_CONFIG] };
  }
}
