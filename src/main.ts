import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { configureApp } from './configure-app';
import { shutDownOnSignals } from './common/graceful-shutdown';
import { runEntrypoint } from './common/run-entrypoint';
import { loadConfig } from './config/env.schema';
import { loadEnvFile } from './config/load-env-file';

/** The HTTP API; with RUN_MODE=all (the default) the dialer worker runs in the same process. */
async function bootstrap(): Promise<void> {
  loadEnvFile();
  const config = loadConfig();
  const roles = { api: true, worker: config.RUN_MODE === 'all' };
  // forceCloseConnections: at shutdown the HTTP server drops its open connections (event streams, keep-alive
  // sockets) instead of waiting for them to close, which an event stream never does: the shutdown hooks then run.
  const app = await NestFactory.create(AppModule.forRoot(config, roles), { bufferLogs: true, forceCloseConnections: true });
  app.useLogger(app.get(Logger));
  configureApp(app);
  shutDownOnSignals(app, app.get(Logger), config.SHUTDOWN_TIMEOUT_MS);
  await app.listen(config.PORT, '0.0.0.0');
  app.get(Logger).log(`outbound dialer API listening on port ${config.PORT} (worker: ${roles.worker}, telephony: ${config.TELEPHONY})`, 'Bootstrap');
}

runEntrypoint(bootstrap);
