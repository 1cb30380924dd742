import { getQueueToken } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import { QueueName } from '../../src/common/queue/queue-names';
import { CampaignsService } from '../../src/modules/campaigns/campaigns.service';
import { CampaignStatus } from '../../src/modules/campaigns/campaign.entity';
import { Role } from '../../src/modules/users/user.entity';
import { createTestApp, TestApp } from '../setup/test-app';
import { insertGateway, insertLeadList, uniqueName } from './campaigns-fixtures';
import { isolateDatabase } from '../setup/isolated-db';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// This file boots a dialer worker: it gets a database and Redis prefix of its own.
isolateDatabase();

describe('campaigns (HTTP, with the schedule worker)', () => {
  let t: TestApp;
  let manager: string;
  let listA: string;
  let listB: string;
  let gatewayId: string;
  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

  beforeAll(async () => {
    t = await createTestApp({ api: true, worker: true });
    manager = await t.tokenFor(Role.Manager);
    listA = await insertLeadList(t.db, ['plan']);
    listB = await insertLeadList(t.db, ['plan', 'renewalDate']);
    gatewayId = await insertGateway(t.db);
  });
  afterAll(() => t.close());

  const validBody = () => ({
    name: uniqueName('Spring renewals'),
    dialMode: 'predictive',
    timezone: 'America/New_York',
    schedule: { windows: { mon: [['09:00', '12:00'], ['13:00', '20:00']], sat: [['10:00', '14:00']] }, blackoutDates: ['2026-12-25'] },
    pacing: { abandonTargetPct: 2.5, maxLinesPerAgent: 2.5, ringTimeoutS: 20 },
    retryRules: { busyRetryMinutes: 10, noAnswerRetryHours: 3, machineRetryShiftHours: 4, maxAttempts: 6, maxAttemptsPerDay: 2 },
    callerId: '+14155550123',
    gatewayId,
    callbackPolicy: 'agent_only',
    lists: [{ listId: listA, priority: 2, weight: 3 }, { listId: listB, priority: 1, weight: 1 }],
  });

  it('creates a draft with its lists, settings and the default outcome set', async () => {
    const res = await t.http.post('/api/campaigns').set(auth(manager)).send(validBody()).expect(201);
    const c = res.body;
    expect(c.status).toBe('draft');
    expect(c.dialMode).toBe('predictive');
    expect(c.pacing).toEqual({ abandonTargetPct: 2.5, maxLinesPerAgent: 2.5, warmupAnsweredCalls: 20, ringTimeoutS: 20 });
    expect(c.retryRules).toMatchObject({ busyRetryMinutes: 10, noAnswerRetryHours: 3, machineRetryShiftHours: 4, carrierFailureRetryMinutes: 30, maxAttempts: 6, maxAttemptsPerDay: 2 });
    expect(c.schedule.windows.mon).toEqual([['09:00', '12:00'], ['13:00', '20:00']]);
    expect(c.lists).toEqual([
      { listId: listA, priority: 2, weight: 3, active: true },
      { listId: listB, priority: 1, weight: 1, active: true },
    ]);
    const codes = c.outcomes.map((o: { code: string }) => o.code);
    expect(codes).toEqual(expect.arrayContaining(['sale', 'not_interested', 'callback', 'do_not_call', 'no_answer']));
    expect(c.outcomes.find((o: { code: string }) => o.code === 'do_not_call')).toMatchObject({ isFinal: true, isDnc: true });
    expect(c.outcomes.find((o: { code: string }) => o.code === 'sale')).toMatchObject({ isFinal: true, isSuccess: true });
    // the columns the dialer and the database constraints read mirror the JSON settings
    const [row] = await t.db.query('SELECT abandon_target, ring_timeout_s, max_attempts, max_attempts_per_day, callback_policy FROM campaigns WHERE id = $1', [c.id]);
    expect(row).toEqual({ abandon_target: '2.50', ring_timeout_s: 20, max_attempts: 6, max_attempts_per_day: 2, callback_policy: 'agent_only' });
  });

  it('applies the defaults: 3% abandon target, 25 s ring timeout, weekday windows', async () => {
    const res = await t.http.post('/api/campaigns').set(auth(manager)).send({ name: uniqueName('Defaults') }).expect(201);
    expect(res.body.pacing).toMatchObject({ abandonTargetPct: 3, ringTimeoutS: 25, maxLinesPerAgent: 3 });
    expect(res.body.dialMode).toBe('progressive');
    expect(res.body.schedule.windows.mon).toEqual([['09:00', '20:00']]);
    expect(res.body.schedule.windows.sun).toBeUndefined();
  });

  it('refuses every invalid setting with 400 naming the field and the reason', async () => {
    const body = {
      ...validBody(),
      dialMode: 'turbo',
      timezone: 'Mars/Olympus',
      callerId: '555-0123',
      schedule: { windows: { mon: [['18:00', '08:00']], fri: [['09:00', '12:00'], ['11:00', '13:00']] } },
      pacing: { abandonTargetPct: 5, ringTimeoutS: 10 },
      retryRules: { machineRetryShiftHours: 24, maxAttempts: 0 },
      callbackPolicy: 'whoever',
    };
    const res = await t.http.post('/api/campaigns').set(auth(manager)).send(body).expect(400);
    const byField = Object.fromEntries(res.body.errors.map((e: { field: string; reason: string }) => [e.field, e.reason]));
    expect(byField).toMatchObject({
      dialMode: 'must be one of: preview, progressive, predictive',
      timezone: 'must be an IANA time zone such as America/New_York',
      callerId: 'must be a valid phone number in E.164 format, e.g. +14155550123',
      'schedule.windows.mon': '[0] end 08:00 must be after start 18:00',
      'schedule.windows.fri': 'windows must not overlap',
      'pacing.abandonTargetPct': 'must not exceed 3 (the legal abandon cap, in percent)',
      'pacing.ringTimeoutS': 'must be at least 15 seconds (about 4 rings)',
      'retryRules.machineRetryShiftHours': 'must be 1 to 23 hours so the retry falls at another time of day',
      callbackPolicy: 'must be one of: agent_only, anyone_only, agent_or_anyone',
    });
    expect(byField['retryRules.maxAttempts']).toMatch(/must not be less than 1/);
  });

  it('refuses references that do not exist and inconsistent settings, naming the field', async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    const inactiveGw = await insertGateway(t.db, false);
    let res = await t.http.post('/api/campaigns').set(auth(manager))
      .send({ ...validBody(), gatewayId: missing, lists: [{ listId: listA }, { listId: missing }, { listId: listA }] }).expect(400);
    expect(res.body.errors).toEqual(expect.arrayContaining([
      { field: 'gatewayId', reason: 'no SIP gateway with this id' },
      { field: 'lists[1].listId', reason: 'no lead list with this id' },
      { field: 'lists[2].listId', reason: 'is attached twice' },
    ]));
    res = await t.http.post('/api/campaigns').set(auth(manager)).send({ ...validBody(), gatewayId: inactiveGw }).expect(400);
    expect(res.body.errors).toEqual([{ field: 'gatewayId', reason: 'the SIP gateway is inactive' }]);
    res = await t.http.post('/api/campaigns').set(auth(manager))
      .send({ ...validBody(), retryRules: { maxAttempts: 2, maxAttemptsPerDay: 3 }, startsAt: '2030-01-02T10:00:00Z', endsAt: '2030-01-01T10:00:00Z' }).expect(400);
    expect(res.body.errors).toEqual(expect.arrayContaining([
      { field: 'retryRules.maxAttemptsPerDay', reason: 'must not exceed maxAttempts (2)' },
      { field: 'endsAt', reason: 'must be after startsAt' },
    ]));
    res = await t.http.post('/api/campaigns').set(auth(manager))
      .send({ ...validBody(), outcomes: [{ code: 'sale', label: 'Sale', isSuccess: true }, { code: 'Bad Code', label: 'x' }] }).expect(400);
    expect(res.body.errors).toEqual(expect.arrayContaining([{ field: 'outcomes.1.code', reason: expect.stringMatching(/lower-case/) }]));
    res = await t.http.post('/api/campaigns').set(auth(manager))
      .send({ ...validBody(), outcomes: [{ code: 'sale', label: 'Sale', isSuccess: true }] }).expect(400);
    expect(res.body.errors).toEqual([{ field: 'outcomes', reason: 'must contain at least one DNC outcome' }]);
  });

  it('refuses a duplicate campaign name with 409', async () => {
    const body = validBody();
    await t.http.post('/api/campaigns').set(auth(manager)).send(body).expect(201);
    const res = await t.http.post('/api/campaigns').set(auth(manager)).send({ ...body, name: body.name.toUpperCase() }).expect(409);
    expect(res.body.errors).toEqual([{ field: 'name', reason: 'is already used by another campaign' }]);
  });

  it('moves through draft -> running -> paused -> running -> completed, recording who and why', async () => {
    const admin = await t.userFor(Role.Admin);
    const mgr = await t.userFor(Role.Manager);
    const { body: c } = await t.http.post('/api/campaigns').set(auth(manager)).send(validBody()).expect(201);
    const go = (status: string, reason?: string, token = manager) =>
      t.http.post(`/api/campaigns/${c.id}/status`).set(auth(token)).send({ status, reason });

    expect((await go('running', 'launch').expect(200)).body.status).toBe('running');
    const running = await app().listRunning();
    expect(running.map((r) => r.id)).toContain(c.id);
    expect(running.find((r) => r.id === c.id)!.pacing.ringTimeoutS).toBe(20);
    await go('paused', 'team meeting').expect(200);
    const bad = await go('draft').expect(409);
    expect(bad.body.errors).toEqual([{ field: 'status', reason: 'cannot change from paused to draft; allowed: running, completed' }]);
    await go('running', 'meeting over', admin.token).expect(200);
    await go('completed', 'list exhausted').expect(200);
    const again = await go('running').expect(409);
    expect(again.body.errors[0].reason).toBe('cannot change from completed to running; allowed: none (final)');
    await t.http.patch(`/api/campaigns/${c.id}`).set(auth(manager)).send({ name: uniqueName('renamed') }).expect(409);

    const events = (await t.http.get(`/api/campaigns/${c.id}/status-events`).set(auth(manager)).expect(200)).body;
    expect(events.map((e: { fromStatus: string; toStatus: string; reason: string; actorUserId: string }) => [e.fromStatus, e.toStatus, e.reason, e.actorUserId])).toEqual([
      [null, 'draft', 'created', mgr.id],
      ['draft', 'running', 'launch', mgr.id],
      ['running', 'paused', 'team meeting', mgr.id],
      ['paused', 'running', 'meeting over', admin.id],
      ['running', 'completed', 'list exhausted', mgr.id],
    ]);
    // the status history is append-only (database trigger)
    await expect(t.db.query('DELETE FROM campaign_status_events WHERE campaign_id = $1', [c.id])).rejects.toThrow(/append-only/);
  });

  it('refuses to start a campaign that is not ready, naming what is missing', async () => {
    const { body: c } = await t.http.post('/api/campaigns').set(auth(manager))
      .send({ name: uniqueName('Not ready'), schedule: { windows: {} } }).expect(201);
    const res = await t.http.post(`/api/campaigns/${c.id}/status`).set(auth(manager)).send({ status: 'running' }).expect(400);
    expect(res.body.errors).toEqual([
      { field: 'callerId', reason: 'is required to start a campaign' },
      { field: 'lists', reason: 'must contain at least one active lead list to start a campaign' },
      { field: 'schedule.windows', reason: 'must have at least one calling window to start a campaign' },
    ]);
    const sched = await t.http.post(`/api/campaigns/${c.id}/status`).set(auth(manager)).send({ status: 'scheduled' }).expect(400);
    expect(sched.body.errors).toEqual(expect.arrayContaining([{ field: 'startsAt', reason: 'is required to schedule a campaign' }]));
  });

  it('starts and stops a scheduled campaign through BullMQ delayed jobs; rescheduling replaces the old job', async () => {
    const queue = t.app.get<Queue>(getQueueToken(QueueName.CampaignSchedule));
    const later = new Date(Date.now() + 3_600_000);
    const { body: c } = await t.http.post('/api/campaigns').set(auth(manager))
      .send({ ...validBody(), startsAt: later.toISOString() }).expect(201);
    await t.http.post(`/api/campaigns/${c.id}/status`).set(auth(manager)).send({ status: 'scheduled', reason: 'next hour' }).expect(200);
    const firstId = `campaign-start-${c.id}-${later.getTime()}`;
    expect(await queue.getJobState(firstId)).toBe('delayed');

    // back to draft removes the job; scheduling again re-adds it
    await t.http.post(`/api/campaigns/${c.id}/status`).set(auth(manager)).send({ status: 'draft' }).expect(200);
    expect(await queue.getJobState(firstId)).toBe('unknown');
    await t.http.post(`/api/campaigns/${c.id}/status`).set(auth(manager)).send({ status: 'scheduled' }).expect(200);
    expect(await queue.getJobState(firstId)).toBe('delayed');

    const startsAt = new Date(Date.now() + 2500);
    const endsAt = new Date(Date.now() + 4500);
    await t.http.patch(`/api/campaigns/${c.id}`).set(auth(manager)).send({ startsAt: startsAt.toISOString(), endsAt: endsAt.toISOString() }).expect(200);
    expect(await queue.getJobState(firstId)).toBe('unknown');
    expect(await queue.getJobState(`campaign-start-${c.id}-${startsAt.getTime()}`)).toBe('delayed');
    expect(await queue.getJobState(`campaign-stop-${c.id}-${endsAt.getTime()}`)).toBe('delayed');

    const statusAfter = async (ms: number, want: string) => {
      const deadline = Date.now() + ms;
      for (;;) {
        const { body } = await t.http.get(`/api/campaigns/${c.id}`).set(auth(manager)).expect(200);
        if (body.status === want || Date.now() > deadline) return body.status;
        await sleep(200);
      }
    };
    expect(await statusAfter(8000, 'running')).toBe('running');
    expect(Date.now()).toBeGreaterThanOrEqual(startsAt.getTime());
    expect(await statusAfter(8000, 'completed')).toBe('completed');

    const events = (await t.http.get(`/api/campaigns/${c.id}/status-events`).set(auth(manager)).expect(200)).body;
    const last2 = events.slice(-2).map((e: { fromStatus: string; toStatus: string; reason: string; actorUserId: string | null }) => [e.fromStatus, e.toStatus, e.reason, e.actorUserId]);
    expect(last2).toEqual([
      ['scheduled', 'running', `scheduled start at ${startsAt.toISOString()}`, null],
      ['running', 'completed', `scheduled end at ${endsAt.toISOString()}`, null],
    ]);
  }, 30_000);

  it('ignores a stale schedule job (idempotent processing)', async () => {
    const { body: c } = await t.http.post('/api/campaigns').set(auth(manager)).send(validBody()).expect(201);
    const svc = app();
    expect(await svc.runScheduledJob({ campaignId: c.id, action: 'start', at: new Date().toISOString() })).toBe('stale');
    expect((await svc.getWithSettings(c.id)).status).toBe(CampaignStatus.Draft);
  });

  it('keeps a live campaign startable: edits that would remove caller ID or lists are refused', async () => {
    const { body: c } = await t.http.post('/api/campaigns').set(auth(manager)).send(validBody()).expect(201);
    await t.http.post(`/api/campaigns/${c.id}/status`).set(auth(manager)).send({ status: 'running' }).expect(200);
    const res = await t.http.patch(`/api/campaigns/${c.id}`).set(auth(manager)).send({ callerId: null, lists: [] }).expect(400);
    expect(res.body.errors).toEqual([
      { field: 'callerId', reason: 'is required to keep a running campaign' },
      { field: 'lists', reason: 'must contain at least one active lead list to keep a running campaign' },
    ]);
    const ok = await t.http.patch(`/api/campaigns/${c.id}`).set(auth(manager)).send({ pacing: { abandonTargetPct: 1.5 } }).expect(200);
    expect(ok.body.pacing.abandonTargetPct).toBe(1.5);
    expect(ok.body.pacing.ringTimeoutS).toBe(20);
  });

  it('sends a scheduled campaign that is no longer startable back to draft, saying why', async () => {
    const startsAt = new Date(Date.now() + 3_600_000);
    const { body: c } = await t.http.post('/api/campaigns').set(auth(manager)).send({ ...validBody(), startsAt: startsAt.toISOString() }).expect(201);
    await t.http.post(`/api/campaigns/${c.id}/status`).set(auth(manager)).send({ status: 'scheduled' }).expect(200);
    await t.db.query('DELETE FROM campaign_lists WHERE campaign_id = $1', [c.id]);
    expect(await app().runScheduledJob({ campaignId: c.id, action: 'start', at: startsAt.toISOString() })).toBe('done');
    const events = (await t.http.get(`/api/campaigns/${c.id}/status-events`).set(auth(manager)).expect(200)).body;
    expect(events[events.length - 1]).toMatchObject({
      fromStatus: 'scheduled', toStatus: 'draft', actorUserId: null,
      reason: `scheduled start at ${startsAt.toISOString()} refused: lists must contain at least one active lead list to start a campaign`,
    });
  });

  it('replaces lists and outcomes, and lets compliance read but not write', async () => {
    const { body: c } = await t.http.post('/api/campaigns').set(auth(manager)).send(validBody()).expect(201);
    const lists = await t.http.put(`/api/campaigns/${c.id}/lists`).set(auth(manager)).send({ lists: [{ listId: listB, priority: 5, weight: 2, active: false }] }).expect(200);
    expect(lists.body.lists).toEqual([{ listId: listB, priority: 5, weight: 2, active: false }]);
    const outcomes = await t.http.put(`/api/campaigns/${c.id}/outcomes`).set(auth(manager)).send({
      outcomes: [
        { code: 'sale', label: 'Sale', isSuccess: true },
        { code: 'dnc', label: 'Do not call', isDnc: true },
        { code: 'later', label: 'Later', retryAfterMinutes: 120 },
      ],
    }).expect(200);
    expect(outcomes.body.outcomes.map((o: { code: string; isFinal: boolean; retryAfterMinutes: number | null }) => [o.code, o.isFinal, o.retryAfterMinutes]))
      .toEqual([['sale', true, null], ['dnc', true, null], ['later', false, 120]]);

    const compliance = await t.tokenFor(Role.Compliance);
    await t.http.get(`/api/campaigns/${c.id}`).set(auth(compliance)).expect(200);
    await t.http.get('/api/campaigns?status=draft').set(auth(compliance)).expect(200);
    await t.http.get(`/api/campaigns/${c.id}/status-events`).set(auth(compliance)).expect(200);
    await t.http.patch(`/api/campaigns/${c.id}`).set(auth(compliance)).send({ description: 'x' }).expect(403);
    await t.http.post(`/api/campaigns/${c.id}/status`).set(auth(compliance)).send({ status: 'running' }).expect(403);
    await t.http.post('/api/campaigns').set(auth(compliance)).send(validBody()).expect(403);
  });

  it('gives agents 403 on every campaign endpoint', async () => {
    const agent = await t.tokenFor(Role.Agent);
    const { body: c } = await t.http.post('/api/campaigns').set(auth(manager)).send(validBody()).expect(201);
    await t.http.get('/api/campaigns').set(auth(agent)).expect(403);
    await t.http.get(`/api/campaigns/${c.id}`).set(auth(agent)).expect(403);
    await t.http.post('/api/campaigns').set(auth(agent)).send(validBody()).expect(403);
    await t.http.patch(`/api/campaigns/${c.id}`).set(auth(agent)).send({ description: 'x' }).expect(403);
    await t.http.post(`/api/campaigns/${c.id}/status`).set(auth(agent)).send({ status: 'running' }).expect(403);
    await t.http.put(`/api/campaigns/${c.id}/lists`).set(auth(agent)).send({ lists: [] }).expect(403);
    await t.http.get(`/api/campaigns/${c.id}/status-events`).set(auth(agent)).expect(403);
    await t.http.delete(`/api/campaigns/${c.id}`).set(auth(agent)).expect(403);
    await t.http.delete(`/api/campaigns/${c.id}`).set(auth(manager)).expect(204);
    await t.http.get(`/api/campaigns/${c.id}`).set(auth(manager)).expect(404);
  });

  function app(): CampaignsService {
    return t.app.get(CampaignsService);
  }
});
