import { Module } from '@nestjs/common';
import { LoggerModule as PinoLoggerModule } from 'nestjs-pino';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { REDACT_PATHS, safeUrl, scrubText } from './pii';

/** Structured JSON logs (pino): one line per event, PII redacted or scrubbed. */
@Module({
  imports: [
    PinoLoggerModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        pinoHttp: {
          level: config.LOG_LEVEL,
          redact: { paths: REDACT_PATHS, censor: '[redacted]' },
          serializers: {
            req: (req: { id?: string; method?: string; url?: string }) => ({ id: req.id, method: req.method, url: safeUrl(req.url) }),
            res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
          },
          hooks: {
            logMethod(args: unknown[], method: (...a: unknown[]) => void) {
              method.apply(this, args.map((a) => (typeof a === 'string' ? scrubText(a) : a)));
            },
          },
          customSuccessMessage: () => 'request completed',
          customErrorMessage: () => 'request failed',
          autoLogging: { ignore: (req: { url?: string }) => req.url === '/health' },
        },
      }),
    }),
  ],
})
export class LoggingModule {}
