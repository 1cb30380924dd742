import { ChannelLimitReached, GatewayPacer, TokenBucket } from './gateway-pacer';

/** A clock the test moves, and a sleep that moves it: launches happen at the times the pacer chose. */
function fakeTime() {
  let t = 1_000_000;
  return { now: () => t, sleep: async (ms: number) => void (t += ms), advance: (ms: number) => void (t += ms), at: () => t };
}

describe('CPS token bucket', () => {
  it('spaces launches at the limit: 10 cps means one launch each 100 ms, never a burst', () => {
    const clock = fakeTime();
    const bucket = new TokenBucket(10, 1, clock.now);
    expect([bucket.reserve(), bucket.reserve(), bucket.reserve(), bucket.reserve()]).toEqual([0, 100, 200, 300]);
    clock.advance(1000);
    expect(bucket.reserve()).toBe(0);
  });

  it('does not sleep for waits under a millisecond (very high limits), while the rate over time holds', () => {
    const clock = fakeTime();
    const bucket = new TokenBucket(100_000, 1, clock.now);
    const waits = Array.from({ length: 50 }, () => bucket.reserve());
    expect(waits.every((w) => w === 0)).toBe(true); // 50 launches in 0.5 ms of debt
    const more = Array.from({ length: 200 }, () => bucket.reserve());
    expect(more[more.length - 1]).toBe(3); // the debt is kept: 250 launches at 100k/s need 2.5 ms
  });

  it('after a back-off, lets the launches reserved meanwhile go one by one at the paced rate (before: all at its last ms)', () => {
    const clock = fakeTime();
    const bucket = new TokenBucket(10, 1, clock.now);
    bucket.pause(clock.at() + 8000);
    expect(Array.from({ length: 5 }, () => bucket.reserve())).toEqual([8000, 8100, 8200, 8300, 8400]);
  });

  it('allows at most `burst` at once after an idle spell', () => {
    const clock = fakeTime();
    const bucket = new TokenBucket(5, 3, clock.now);
    clock.advance(10_000);
    expect([bucket.reserve(), bucket.reserve(), bucket.reserve(), bucket.reserve()]).toEqual([0, 0, 0, 200]);
  });
});

describe('gateway pacer', () => {
  const gw = { id: 'gw1', cpsLimit: 20, channelLimit: 3 };

  it('launches 40 calls at 20 cps over about 2 s of (fake) time, never more than 20 in any second', async () => {
    const clock = fakeTime();
    const pacer = new GatewayPacer(clock.now, clock.sleep);
    const launches: number[] = [];
    for (let i = 0; i < 40; i++) {
      const release = await pacer.acquire({ ...gw, channelLimit: 100 });
      launches.push(clock.at());
      release();
    }
    const start = launches[0];
    expect(launches[39] - start).toBeGreaterThanOrEqual(1900);
    for (const t of launches) expect(launches.filter((x) => x >= t && x < t + 1000).length).toBeLessThanOrEqual(20);
  });

  it('refuses a launch past the channel limit and frees the channel when the call ends', async () => {
    const clock = fakeTime();
    const pacer = new GatewayPacer(clock.now, clock.sleep);
    const releases = [await pacer.acquire(gw), await pacer.acquire(gw), await pacer.acquire(gw)];
    await expect(pacer.acquire(gw)).rejects.toBeInstanceOf(ChannelLimitReached);
    releases[0]();
    releases[0](); // releasing twice gives back one channel only
    expect(pacer.channelsInUse('gw1')).toBe(2);
    await expect(pacer.acquire(gw)).resolves.toBeInstanceOf(Function);
  });

  it('backs off after a 503, doubling on consecutive 503s, honouring Retry-After, and resetting after a success', async () => {
    const clock = fakeTime();
    const pacer = new GatewayPacer(clock.now, clock.sleep);
    (await pacer.acquire({ ...gw, channelLimit: 100 }))();
    expect(pacer.backOff('gw1')).toBe(1000);
    const before = clock.at();
    (await pacer.acquire({ ...gw, channelLimit: 100 }))();
    expect(clock.at() - before).toBeGreaterThanOrEqual(1000);
    expect(pacer.backOff('gw1')).toBe(2000);
    expect(pacer.backOff('gw1')).toBe(4000);
    expect(pacer.backOff('gw1', 7)).toBe(7000);
    pacer.succeeded('gw1');
    expect(pacer.backOff('gw1')).toBe(1000);
  });

  it('keeps its channel count when an admin changes the CPS limit while calls are up (before: those channels were lost for good)', async () => {
    const clock = fakeTime();
    const pacer = new GatewayPacer(clock.now, clock.sleep);
    const two = { id: 'gw2', cpsLimit: 20, channelLimit: 2 };
    const up = [await pacer.acquire(two), await pacer.acquire(two)];
    await expect(pacer.acquire({ ...two, cpsLimit: 5 })).rejects.toBeInstanceOf(ChannelLimitReached);
    up.forEach((release) => release());
    expect(pacer.channelsInUse('gw2')).toBe(0);
    await expect(pacer.acquire({ ...two, cpsLimit: 5 })).resolves.toBeInstanceOf(Function);
  });

  it('holds a launch that was waiting for its slot when a 503 opens a back-off, and keeps a back-off across a CPS change', async () => {
    const clock = fakeTime();
    let backedOff = false;
    const pacer: GatewayPacer = new GatewayPacer(clock.now, async (ms) => {
      // The carrier answers another call with 503 while this launch sleeps for its slot.
      if (!backedOff) {
        backedOff = true;
        pacer.backOff('gw3', 5);
      }
      clock.advance(ms);
    });
    const g = { id: 'gw3', cpsLimit: 10, channelLimit: 10 };
    (await pacer.acquire(g))();
    const start = clock.at();
    (await pacer.acquire(g))(); // would have left 100 ms later, inside the back-off
    expect(clock.at() - start).toBeGreaterThanOrEqual(5000);
    pacer.backOff('gw3', 5);
    const before = clock.at();
    (await pacer.acquire({ ...g, cpsLimit: 2 }))();
    expect(clock.at() - before).toBeGreaterThanOrEqual(5000);
  });
});
