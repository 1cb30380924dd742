import { Telephony, TELEPHONY } from '../../src/modules/telephony/telephony.port';
import { createTestApp } from '../setup/test-app';
import { isolateDatabase } from '../setup/isolated-db';

/** The worker picks its telephony adapter from TELEPHONY; nothing above the port changes. */
// This file boots a dialer worker: it gets a database and Redis prefix of its own.
isolateDatabase();

describe('telephony adapter selection', () => {
  it('runs the simulated carrier by default', async () => {
    const t = await createTestApp({ api: true, worker: true });
    try {
      expect(t.app.get<Telephony>(TELEPHONY).name).toBe('simulated');
    } finally {
      await t.close();
    }
  });

  it('builds the drachtio adapter for TELEPHONY=drachtio and boots even while drachtio-server is unreachable', async () => {
    // Port 1 on loopback: nothing listens, the adapter keeps reconnecting in the background.
    const t = await createTestApp({ api: true, worker: true }, { TELEPHONY: 'drachtio', DRACHTIO_HOST: '127.0.0.1', DRACHTIO_PORT: '1', RTPENGINE_HOST: '127.0.0.1' });
    try {
      expect(t.app.get<Telephony>(TELEPHONY).name).toBe('drachtio');
    } finally {
      await t.close();
    }
  });
});
