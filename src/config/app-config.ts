import { EnvSchema } from './env.schema';

/** Injection token and type for the validated configuration. */
export const APP_CONFIG = Symbol('APP_CONFIG');
export type AppConfig = EnvSchema;
