import { INestApplicationContext, LoggerService } from '@nestjs/common';
import { shutDownOnSignals } from './graceful-shutdown';

describe('shutting down on signals', () => {
  const saved = { SIGINT: process.listeners('SIGINT'), SIGTERM: process.listeners('SIGTERM') };
  let exit: jest.SpyInstance;
  const logger = { log: jest.fn(), warn: jest.fn(), error: jest.fn() } as unknown as LoggerService;
  beforeEach(() => {
    exit = jest.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
  });
  afterEach(() => {
    exit.mockRestore();
    for (const s of ['SIGINT', 'SIGTERM'] as const) {
      process.removeAllListeners(s);
      for (const l of saved[s]) process.on(s, l);
    }
  });
  const slowApp = () => ({ close: () => new Promise<void>((r) => setTimeout(r, 100)) }) as unknown as INestApplicationContext;

  it("takes Ctrl-C's echo (the same signal again at once, forwarded by npm) for one signal: a clean exit 0", async () => {
    shutDownOnSignals(slowApp(), logger, 10_000);
    process.emit('SIGINT', 'SIGINT');
    process.emit('SIGINT', 'SIGINT');
    await new Promise((r) => setTimeout(r, 200));
    expect(exit.mock.calls).toEqual([[0]]);
  });

  it('exits at once on another signal during the shutdown (an operator insisting)', async () => {
    shutDownOnSignals(slowApp(), logger, 10_000);
    process.emit('SIGINT', 'SIGINT');
    process.emit('SIGTERM', 'SIGTERM');
    expect(exit.mock.calls[0]).toEqual([1]);
    await new Promise((r) => setTimeout(r, 200)); // the close still finishes (and exits) while process.exit is mocked
  });
});
