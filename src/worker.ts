import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { shutDownOnSignals } from './common/graceful-shutdown';
import { runEntrypoint } from './common/run-entrypoint';
import { loadConfig } from './config/env.schema';
import { loadEnvFile } from './config/load-env-file';

/** The dialer worker alone: queue processors and campaign orchestrators, no HTTP. Run several for scale. */
async function bootstrap(): Promise<void> {
  loadEnvFile();
  const config = loadConfig();
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config, { api: false, worker: true }), { bufferLogs: true });
  app.useLogger(app.get(Logger));
  shutDownOnSignals(app, app.get(Logger), config.SHUTDOWN_TIMEOUT_MS);
  app.get(Logger).log(`dialer worker started (pid ${process.pid}, telephony: ${config.TELEPHONY})`, 'Bootstrap');
}

runEntrypoint(bootstrap);
