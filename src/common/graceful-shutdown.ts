import { INestApplicationContext, LoggerService } from '@nestjs/common';

/**
 * SIGTERM / SIGINT: close the application (destroy hooks: orchestrators stop and release their campaigns; the HTTP
 * server; shutdown hooks: queues, PostgreSQL, Redis, SIP) and exit 0. A shutdown still running after `deadlineMs`
 * (a hook waiting on a database that does not answer) exits 1 rather than waiting for SIGKILL; a second signal
 * exits at once (an operator pressing Ctrl-C again means it), except the same signal within 2 s (npm forwards the terminal's).
 * In place of Nest's enableShutdownHooks, which ignores a second signal and has no deadline.
 */
export function shutDownOnSignals(app: INestApplicationContext, logger: LoggerService, deadlineMs: number): void {
  let stopping: { signal: NodeJS.Signals; at: number } | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      // Ctrl-C under `npm start` reaches node twice within milliseconds (the terminal's process group, then npm's
      // forwarding): the same signal again at once is that echo, not an operator insisting.
      if (signal === stopping.signal && Date.now() - stopping.at < 2_000) return;
      logger.warn(`${signal} again during shutdown: exiting now`, 'Shutdown');
      process.exit(1);
    }
    stopping = { signal, at: Date.now() };
    logger.log(`${signal}: shutting down`, 'Shutdown');
    const deadline = setTimeout(() => {
      logger.error(`shutdown not finished after ${deadlineMs} ms: exiting`, undefined, 'Shutdown');
      process.exit(1);
    }, deadlineMs).unref();
    app.close().then(
      () => {
        clearTimeout(deadline);
        logger.log('shut down cleanly', 'Shutdown');
        process.exit(0);
      },
      (err: Error) => {
        clearTimeout(deadline);
        logger.error(`shutdown failed: ${err.name}`, undefined, 'Shutdown');
        process.exit(1);
      },
    );
  };
  for (const s of ['SIGTERM', 'SIGINT'] as const) process.on(s, onSignal);
}
