import { GatewayCache } from './gateway-cache';
import { GatewayConfig } from './gateway-config';

const gw = (id: string, cpsLimit = 10): GatewayConfig => ({
  id, name: id, host: 'h', port: 5060, transport: 'udp', username: null, password: null, numberFormat: 'e164', prefix: '',
  callerIdRules: {}, cpsLimit, channelLimit: 10,
});

describe('GatewayCache', () => {
  it('reads a gateway once per TTL, sharing one query among concurrent dials, then reads it again', async () => {
    let t = 0;
    let cps = 10;
    const load = jest.fn(async (id: string | null) => gw(id ?? 'default', cps));
    const cache = new GatewayCache(load, 5000, () => t);
    const [a, b] = await Promise.all([cache.forDial('g1'), cache.forDial('g1')]);
    expect(a).toBe(b);
    expect(load).toHaveBeenCalledTimes(1);
    cps = 20; // changed by another process
    t = 4999;
    expect((await cache.forDial('g1'))!.cpsLimit).toBe(10);
    t = 5000;
    expect((await cache.forDial('g1'))!.cpsLimit).toBe(20);
    expect(load).toHaveBeenCalledTimes(2);
    await cache.forDial(null); // the default gateway is cached under its own key
    expect(load).toHaveBeenLastCalledWith(null);
  });

  it('shows a change made through this process at once (invalidate), and never caches a failed query', async () => {
    let cps = 10;
    let fail = true;
    const load = jest.fn(async () => {
      if (fail) throw new Error('database down');
      return gw('g1', cps);
    });
    const cache = new GatewayCache(load, 5000, () => 0);
    await expect(cache.forDial('g1')).rejects.toThrow('database down');
    fail = false;
    expect((await cache.forDial('g1'))!.cpsLimit).toBe(10);
    cps = 30;
    cache.invalidate();
    expect((await cache.forDial('g1'))!.cpsLimit).toBe(30);
  });
});
