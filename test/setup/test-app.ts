import { getQueueToken, WorkerHost } from '@nestjs/bullmq';
import { DiscoveryService } from '@nestjs/core';
import { INestApplication } from '@nestjs/common';
import { Queue } from 'bullmq';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AppModule, AppRoles } from '../../src/app.module';
import { QueueName } from '../../src/common/queue/queue-names';
import { configureApp } from '../../src/configure-app';
import { loadConfig } from '../../src/config/env.schema';
import { Role } from '../../src/modules/users/user.entity';
import { UsersService } from '../../src/modules/users/users.service';

export interface TestApp {
  app: INestApplication;
  http: ReturnType<typeof request>;
  db: DataSource;
  /** A bearer token for a fresh user of this role. */
  tokenFor(role: Role): Promise<string>;
  userFor(role: Role): Promise<{ id: string; token: string; email: string }>;
  close(): Promise<void>;
}

let seq = 0;

/** Boots the real application (API and, unless told otherwise, the worker) on this run's database and Redis prefix. */
export async function createTestApp(roles: AppRoles = { api: true, worker: false }, env: NodeJS.ProcessEnv = {}): Promise<TestApp> {
  const config = loadConfig({ ...process.env, ...env });
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(config, roles)] }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  configureApp(app);
  await app.init();
  // Closing a BullMQ connection that is still connecting emits an unhandled error: wait until all are up.
  await Promise.all(Object.values(QueueName).map((n) => app.get<Queue>(getQueueToken(n)).waitUntilReady()));
  const workers = app.get(DiscoveryService).getProviders().map((w) => w.instance).filter((i): i is WorkerHost => i instanceof WorkerHost);
  await Promise.all(workers.map((w) => w.worker?.waitUntilReady()));
  const http = request(app.getHttpServer());
  const users = app.get(UsersService);
  const password = 'correct horse battery staple';
  const cache = new Map<Role, { id: string; token: string; email: string }>();

  const userFor = async (role: Role) => {
    const cached = cache.get(role);
    if (cached) return cached;
    const email = `${role}-${process.pid}-${++seq}-${Date.now()}@test.local`;
    const user = await users.upsert(email, `Test ${role}`, role, password);
    const res = await request(app.getHttpServer()).post('/api/auth/login').send({ email, password }).expect(200);
    const entry = { id: user.id, token: res.body.accessToken as string, email };
    cache.set(role, entry);
    return entry;
  };

  return {
    app,
    http,
    db: app.get(DataSource),
    userFor,
    tokenFor: async (role) => (await userFor(role)).token,
    close: () => app.close(),
  };
}
