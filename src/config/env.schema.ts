import { plainToInstance, Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength, validateSync } from 'class-validator';

const toInt = ({ value }: { value: unknown }) => (value === undefined || value === '' ? undefined : Number(value));

/** Every setting the service reads from the environment, validated once at boot. */
export class EnvSchema {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @Transform(toInt) @IsInt() @Min(0) @Max(65535)
  PORT = 3000;

  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'must be a postgres:// URL' })
  DATABASE_URL = 'postgres://postgres:postgres@127.0.0.1:5432/dialer';

  @Matches(/^rediss?:\/\/.+/, { message: 'must be a redis:// URL' })
  REDIS_URL = 'redis://127.0.0.1:6379';

  /** Key prefix for every BullMQ queue and lock in Redis; tests give each run its own. */
  @IsString() @Matches(/^[A-Za-z0-9_:-]+$/, { message: 'letters, digits, _ : - only' })
  QUEUE_PREFIX = 'dialer';

  @IsString() @MinLength(32, { message: 'must be at least 32 characters (set a long random secret)' })
  JWT_SECRET!: string;

  @IsString() @Matches(/^\d+[smhd]?$/, { message: 'must be a duration such as 900s, 15m, 8h' })
  JWT_EXPIRES_IN = '8h';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  /** all: API and dialer worker in one process; api or worker: one role only. */
  @IsIn(['all', 'api', 'worker'])
  RUN_MODE: 'all' | 'api' | 'worker' = 'all';

  /** simulated: the built-in carrier; drachtio: real SIP through drachtio-server. */
  @IsIn(['simulated', 'drachtio'])
  TELEPHONY: 'simulated' | 'drachtio' = 'simulated';

  @IsOptional() @IsString()
  DRACHTIO_HOST?: string;

  @Transform(toInt) @IsInt() @Min(1) @Max(65535)
  DRACHTIO_PORT = 9022;

  @IsOptional() @IsString()
  DRACHTIO_SECRET?: string;

  @IsOptional() @IsString()
  RTPENGINE_HOST?: string;

  @Transform(toInt) @IsInt() @Min(1) @Max(65535)
  RTPENGINE_PORT = 22222;

  /** Digest realm agents' SIP phones register in (TELEPHONY=drachtio). */
  @IsString() @Matches(/^[A-Za-z0-9.-]+$/, { message: 'letters, digits, . - only' })
  SIP_REALM = 'dialer';

  /** Audio file, as rtpengine sees it, played into abandoned calls; empty: the placeholder shipped in the repo. */
  @IsString()
  ABANDON_MESSAGE_FILE = '';

  /** rtpengine's --recording-dir when it runs on this host (recording files are then referenced by path). */
  @IsString()
  RTPENGINE_RECORDING_DIR = '';

  /** Login attempts allowed per client per minute. */
  @Transform(toInt) @IsInt() @Min(1)
  LOGIN_RATE_LIMIT = 10;

  /** Where uploaded lead files wait for their import job (API and worker must both see it). Default: <tmp>/dialer-lead-imports. */
  @IsOptional() @IsString()
  LEAD_IMPORT_DIR?: string;

  /** Worker threads that normalise a big lead file. Default: cores - 2 (0 on a 2-core machine: normalise inline). */
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(64)
  LEAD_IMPORT_THREADS?: number;
}

export class ConfigError extends Error {}

/** Validates the environment; throws a ConfigError naming every wrong variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): EnvSchema {
  const known = Object.keys(new EnvSchema()).concat(['JWT_SECRET', 'DRACHTIO_HOST', 'DRACHTIO_SECRET', 'RTPENGINE_HOST']);
  const raw: Record<string, unknown> = {};
  for (const key of known) if (env[key] !== undefined && env[key] !== '') raw[key] = env[key];
  const config = plainToInstance(EnvSchema, raw, { exposeDefaultValues: true });
  const errors = validateSync(config, { whitelist: true });
  if (config.TELEPHONY === 'drachtio' && !config.DRACHTIO_HOST) {
    throw new ConfigError('Invalid configuration: DRACHTIO_HOST is required when TELEPHONY=drachtio');
  }
  if (errors.length) {
    const lines = errors.map((e) => `${e.property}: ${Object.values(e.constraints ?? {}).join('; ')}`);
    throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  return config;
}
