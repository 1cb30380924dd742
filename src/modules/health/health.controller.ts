import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Response } from 'express';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { Public } from '../../common/auth/roles.decorator';
import { REDIS } from '../../common/redis/redis.module';

type Check = { status: 'up' | 'down'; latencyMs?: number; error?: string };

async function probe(fn: () => Promise<unknown>): Promise<Check> {
  const t = Date.now();
  try {
    await Promise.race([fn(), new Promise((_, rej) => setTimeout(() => rej(new Error('timeout after 2000 ms')), 2000))]);
    return { status: 'up', latencyMs: Date.now() - t };
  } catch (e) {
    return { status: 'down', error: (e as Error).message };
  }
}

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly db: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  /** Roles: public. 200 when PostgreSQL and Redis answer, 503 otherwise. */
  @Get()
  @Public()
  async health(@Res() res: Response): Promise<void> {
    const [db, redis] = await Promise.all([probe(() => this.db.query('SELECT 1')), probe(() => this.redis.ping())]);
    const ok = db.status === 'up' && redis.status === 'up';
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'error', checks: { db, redis } });
  }
}
