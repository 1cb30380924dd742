import type { QueryRunner } from 'typeorm';
import { connectForBulkWork } from './pg-timeouts';

describe('a connection taken for bulk work', () => {
  it('is handed back (destroyed) when its statement timeout cannot be lifted, instead of staying checked out', async () => {
    const released: unknown[] = [];
    const client = { query: jest.fn(async () => Promise.reject(new Error('connection terminated'))) };
    const qr = {
      connect: async () => client,
      release: jest.fn(async () => undefined),
      releasePostgresConnection: jest.fn(async (err?: Error) => void released.push(err?.message)),
    } as unknown as QueryRunner;
    await expect(connectForBulkWork(qr)).rejects.toThrow('connection terminated');
    expect(released).toEqual(['connection terminated']);
  });
});
