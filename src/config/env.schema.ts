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

  /**
   * STUN/TURN servers the browser softphone may use, comma-separated (stun:, turn: or turns: URLs, e.g.
   * `turn:turn.example.com:3478?transport=udp,turns:turn.example.com:5349?transport=tcp`). Empty: none (the
   * softphone then reaches rtpengine directly, which works when no NAT or firewall is between them).
   */
  @IsOptional() @IsString()
  @Matches(/^\s*(stuns?|turns?):[^\s,]+(\s*,\s*(stuns?|turns?):[^\s,]+)*\s*$/, { message: 'must be stun:, turn: or turns: URLs, comma-separated' })
  TURN_URLS?: string;

  /** The TURN server's shared secret (coturn `use-auth-secret` / `static-auth-secret`): credentials are minted per agent. */
  @IsOptional() @IsString() @MinLength(16, { message: 'must be at least 16 characters' })
  TURN_SECRET?: string;

  /** How long a minted TURN credential stays valid, in seconds (default 12 h: a shift). */
  @Transform(toInt) @IsInt() @Min(60) @Max(7 * 24 * 3600)
  TURN_CREDENTIAL_TTL = 12 * 3600;

  /** all: the softphone may use direct and relayed paths; relay: TURN only (e.g. to keep agents' addresses private). */
  @IsIn(['all', 'relay'])
  SOFTPHONE_ICE_POLICY: 'all' | 'relay' = 'all';

  /** Login attempts allowed per client per minute. */
  @Transform(toInt) @IsInt() @Min(1)
  LOGIN_RATE_LIMIT = 10;

  /**
   * Failed logins allowed for one account (from any address) within LOGIN_LOCKOUT_MINUTES; past it, that account's
   * logins answer 429 until the window closes, the right password included. Counted in Redis, shared by every API process.
   */
  @Transform(toInt) @IsInt() @Min(1)
  LOGIN_FAILURES_PER_ACCOUNT = 10;

  @Transform(toInt) @IsInt() @Min(1) @Max(24 * 60)
  LOGIN_LOCKOUT_MINUTES = 15;

  /**
   * Express's 'trust proxy' behind a TLS-terminating proxy: `1` (one proxy in front), `loopback`, or the proxies'
   * addresses/subnets, comma-separated. The client's address (login rate limit) and https (the session cookie's Secure
   * flag) are then read from X-Forwarded-For / X-Forwarded-Proto. `false` (default): the direct peer, no proxy trusted.
   */
  @IsString() @Matches(/^(true|false|\d+|[A-Za-z0-9.:/,\s]+)$/, { message: 'true, false, a number of proxies, or addresses/subnets' })
  TRUST_PROXY = 'false';

  /** Where uploaded lead files wait for their import job (API and worker must both see it). Default: <tmp>/dialer-lead-imports. */
  @IsOptional() @IsString()
  LEAD_IMPORT_DIR?: string;

  /** Worker threads that normalise a big lead file. Default: cores - 2 (0 on a 2-core machine: normalise inline). */
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(64)
  LEAD_IMPORT_THREADS?: number;

  /**
   * Longest a statement may run (PostgreSQL statement_timeout; 0: no limit). A server that does not answer at all is
   * given up 5 s after it. Lead and registry imports and migrations are not limited.
   */
  @Transform(toInt) @IsInt() @Min(0) @Max(3_600_000)
  DATABASE_STATEMENT_TIMEOUT_MS = 30_000;

  /** Longest wait to open a PostgreSQL connection or get one from the pool. */
  @Transform(toInt) @IsInt() @Min(500) @Max(600_000)
  DATABASE_CONNECT_TIMEOUT_MS = 5_000;

  /** SIGTERM: longest the graceful shutdown may take before the process exits anyway (keep it under the supervisor's grace period). */
  @Transform(toInt) @IsInt() @Min(1_000) @Max(600_000)
  SHUTDOWN_TIMEOUT_MS = 50_000;
}

export class ConfigError extends Error {}

/** Validates the environment; throws a ConfigError naming every wrong variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): EnvSchema {
  const known = Object.keys(new EnvSchema()).concat(['JWT_SECRET', 'DRACHTIO_HOST', 'DRACHTIO_SECRET', 'RTPENGINE_HOST', 'TURN_URLS', 'TURN_SECRET']);
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
  if (config.TURN_URLS && /(^|,)\s*turns?:/.test(config.TURN_URLS) && !config.TURN_SECRET) {
    throw new ConfigError('Invalid configuration: TURN_SECRET is required when TURN_URLS lists a turn: or turns: server');
  }
  if (config.SOFTPHONE_ICE_POLICY === 'relay' && !(config.TURN_URLS && /(^|,)\s*turns?:/.test(config.TURN_URLS))) {
    throw new ConfigError('Invalid configuration: SOFTPHONE_ICE_POLICY=relay needs a turn: or turns: server in TURN_URLS');
  }
  return config;
}
