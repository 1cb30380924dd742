import { Page } from 'playwright-core';
import { Role } from '../../src/modules/users/user.entity';
import { makeCampaign } from '../integration/dialer-fixtures';
import { isolateDatabase } from '../setup/isolated-db';
import { waitFor } from '../setup/wait';
import { BrowserHarness, describeBrowser, startHarness } from './harness';

jest.setTimeout(180_000);

// This file boots a dialer worker: it gets a database and Redis prefix of its own.
isolateDatabase();

describeBrowser('agent desktop: the preview time limit counts down from the offer and a skip shows the agent Paused (headless Chromium)', () => {
  const savedEnv = { ...process.env };
  let hx: BrowserHarness;
  let page: Page;
  let agentId: string;
  let campaignId: string;

  beforeAll(async () => {
    Object.assign(process.env, { SIMULATED_ANSWER_RATE: '1', SIMULATED_TIME_SCALE: '0.3' });
    hx = await startHarness({ api: true, worker: true }, { QUEUE_PREFIX: `${process.env.QUEUE_PREFIX}_ptl` });
    const fx = await makeCampaign(hx.t.db, { ok: 3, mode: 'preview' });
    campaignId = fx.campaignId;
    for (const [i, l] of fx.leads.entries()) {
      await hx.t.db.query(`UPDATE leads SET phone = $2, first_name = $3 WHERE id = $1`, [l.id, `+1212643${String(7200 + i)}`, ['Mei', 'Omar', 'Ines'][i]]);
    }
    // Ten minutes, so the live loop does not act on its own until the test moves the offer back in time.
    await hx.t.db.query(`UPDATE campaigns SET name = 'Timed preview', preview_time_limit_s = 600, preview_timeout_action = 'skip' WHERE id = $1`, [campaignId]);
    const login = await hx.loginAs(Role.Agent);
    page = login.page;
    agentId = login.user.id;
  });
  afterAll(async () => {
    await hx?.close();
    process.env = savedEnv;
  });

  const countdown = () => page.locator('#preview-countdown');
  const previewCallId = async () => {
    const [c] = await hx.t.db.query(`SELECT id FROM calls WHERE agent_id = $1 AND state = 'preview'`, [agentId]);
    return c?.id as string | undefined;
  };

  async function goReady(): Promise<string> {
    await page.getByLabel('Campaign').selectOption(campaignId);
    await page.getByRole('button', { name: 'Ready' }).click();
    await page.locator('#call-status', { hasText: 'Preview' }).waitFor({ timeout: 30_000 });
    return waitFor(previewCallId, 5_000, 'the preview row');
  }

  it('shows "Skipping in m:ss" counting down from the server\'s offer time, also after a reload; at zero the desk shows Paused with the reason', async () => {
    const callId = await goReady();
    await page.waitForFunction(() => /^Skipping in (10:00|9:[0-5]\d)$/.test(document.querySelector('#preview-countdown')?.textContent ?? ''), undefined, { timeout: 5_000 });
    await expect(countdown().isVisible()).resolves.toBe(true);
    await expect(countdown().getAttribute('role')).resolves.toBe('timer');
    // It ticks.
    const first = await countdown().textContent();
    await page.waitForFunction((was) => document.querySelector('#preview-countdown')?.textContent !== was, first, { timeout: 5_000 });

    // Offered five minutes ago (as the server has it): a reloaded desk counts from there, it does not restart.
    await hx.t.db.query(`UPDATE calls SET queued_at = queued_at - interval '5 minutes', preview_expires_at = preview_expires_at - interval '5 minutes' WHERE id = $1`, [callId]);
    await page.reload();
    await page.locator('#call-status', { hasText: 'Preview' }).waitFor({ timeout: 15_000 });
    await page.waitForFunction(() => /^Skipping in (5:00|4:[0-5]\d)$/.test(document.querySelector('#preview-countdown')?.textContent ?? ''), undefined, { timeout: 5_000 });
    await hx.screenshot(page, 'agent-preview-countdown');

    // Four seconds left: the agent watches it reach zero, then the dialer skips it and pauses them.
    await hx.t.db.query(`UPDATE calls SET queued_at = now() - interval '596 seconds', preview_expires_at = now() + interval '4 seconds' WHERE id = $1`, [callId]);
    await page.reload();
    await page.waitForFunction(() => /^Skipping in 0:0[1-5]$/.test(document.querySelector('#preview-countdown')?.textContent ?? ''), undefined, { timeout: 10_000 });
    await page.locator('#state-label[data-state="paused"]').waitFor({ timeout: 20_000 });
    await expect(page.locator('#state-label').textContent()).resolves.toBe('Paused · Preview time ran out (paused by the dialer)');
    await page.locator('#no-call').waitFor({ state: 'visible', timeout: 10_000 });
    await expect(page.locator('#call').isHidden()).resolves.toBe(true);
    await expect(countdown().isHidden()).resolves.toBe(true);
    await expect(page.getByRole('button', { name: 'Ready' }).isEnabled()).resolves.toBe(true);
    const [call] = await hx.t.db.query(`SELECT state, outcome FROM calls WHERE id = $1`, [callId]);
    expect(call).toEqual({ state: 'skipped', outcome: 'preview_timeout' });
    await hx.screenshot(page, 'agent-paused-preview-timeout');
    // After a reload too (the state comes from the server).
    await page.reload();
    await page.locator('#state-label[data-state="paused"]').waitFor({ timeout: 15_000 });
    await expect(page.locator('#state-label').textContent()).resolves.toBe('Paused · Preview time ran out (paused by the dialer)');
  });

  it('says "Dialling in m:ss" when the campaign dials at the limit, and shows no countdown without a limit', async () => {
    await hx.t.db.query(`UPDATE campaigns SET preview_timeout_action = 'dial' WHERE id = $1`, [campaignId]);
    await new Promise((r) => setTimeout(r, 3_500)); // an offer takes the action the dialer read (it re-reads every 3 s)
    const callId = await goReady();
    await page.waitForFunction(() => /^Dialling in (10:00|9:[0-5]\d)$/.test(document.querySelector('#preview-countdown')?.textContent ?? ''), undefined, { timeout: 5_000 });
    // No limit from now on: offers made once the dialer has re-read the campaign (every 3 s) have no deadline.
    await hx.t.db.query(`UPDATE campaigns SET preview_time_limit_s = NULL WHERE id = $1`, [campaignId]);
    await new Promise((r) => setTimeout(r, 3_500));
    await page.getByRole('button', { name: 'Skip' }).click();
    await waitFor(async () => (await hx.t.db.query(`SELECT state FROM calls WHERE id = $1`, [callId]))[0].state === 'skipped', 5_000, 'the Skip');
    const next = await waitFor(async () => {
      const id = await previewCallId();
      return id && id !== callId ? id : null;
    }, 30_000, 'the next offer');
    await page.reload();
    await page.locator('#call-status', { hasText: 'Preview' }).waitFor({ timeout: 15_000 });
    await expect(countdown().isHidden()).resolves.toBe(true);
    expect(next).toBeTruthy();
  });

  it("counts down on the page's own clock: a PC clock ten minutes fast neither shows 0:00 at once nor keeps asking the server", async () => {
    await hx.t.db.query(`UPDATE campaigns SET preview_time_limit_s = 600, preview_timeout_action = 'skip' WHERE id = $1`, [campaignId]);
    const callId = await waitFor(previewCallId, 5_000, 'the preview on screen');
    // (the deadline is fixed at the offer: this preview was offered without one)
    await hx.t.db.query(`UPDATE calls SET queued_at = now(), preview_expires_at = now() + interval '600 seconds', preview_timeout_action = 'skip' WHERE id = $1`, [callId]);
    // The agent's PC: its wall clock runs ten minutes ahead (Date), its monotonic clock (performance.now) is fine.
    await page.addInitScript({
      content: `{ const Real = Date; const skew = 600000;
        class Skewed extends Real { constructor(...a) { super(...(a.length ? a : [Real.now() + skew])); } static now() { return Real.now() + skew; } }
        globalThis.Date = Skewed; }`,
    });
    await page.reload();
    await page.locator('#call-status', { hasText: 'Preview' }).waitFor({ timeout: 15_000 });
    expect(await page.evaluate(() => Date.now() - (performance.timeOrigin + performance.now()))).toBeGreaterThan(590_000);
    await page.waitForFunction(() => /^Skipping in (10:00|9:[0-5]\d)$/.test(document.querySelector('#preview-countdown')?.textContent ?? ''), undefined, { timeout: 5_000 });
    // Nothing ran out: the desk does not ask for the current call every second (only the 5 s safety net may).
    const asked: string[] = [];
    page.on('request', (r) => new URL(r.url()).pathname === '/api/web/agent/desk' && asked.push(r.url()));
    await new Promise((r) => setTimeout(r, 3_000));
    expect(asked.length).toBeLessThanOrEqual(1);
    await expect(countdown().textContent()).resolves.toMatch(/^Skipping in 9:[45]\d$/);
  });

  it('lets a manager set the limit and the action in the campaign form: a bad value is shown at its control; empty = no limit', async () => {
    const token = await hx.t.tokenFor(Role.Manager);
    const c = await hx.t.http.post('/api/campaigns').set({ Authorization: `Bearer ${token}` }).send({ name: 'Timed form', dialMode: 'preview' }).expect(201);
    const mgr = await hx.loginAs(Role.Manager); // the console lists the campaigns it finds when it opens
    const p = mgr.page;
    await p.getByRole('link', { name: 'Campaigns' }).click();
    await p.locator('#camp-table').getByRole('button', { name: 'Timed form' }).click();
    const panel = p.locator('#tab-campaigns');
    const limit = panel.getByLabel('Preview time limit (seconds)');
    await p.waitForFunction(() => !document.querySelector('#camp-form')?.hasAttribute('aria-busy'));
    await expect(limit.inputValue()).resolves.toBe('');
    await expect(panel.getByLabel('When the preview time runs out').inputValue()).resolves.toBe('skip');

    await limit.fill('5');
    await panel.getByRole('button', { name: 'Save', exact: true }).click();
    const err = p.locator('#camp-preview-limit-ferr');
    await err.waitFor({ state: 'visible' });
    await expect(err.textContent()).resolves.toMatch(/must be at least 10 seconds/);
    await expect(limit.getAttribute('aria-invalid')).resolves.toBe('true');

    await limit.fill('45');
    await panel.getByLabel('When the preview time runs out').selectOption('dial');
    await panel.getByRole('button', { name: 'Save', exact: true }).click();
    await waitFor(async () => {
      const [row] = await hx.t.db.query(`SELECT preview_time_limit_s, preview_timeout_action FROM campaigns WHERE id = $1`, [c.body.id]);
      return row.preview_time_limit_s === 45 && row.preview_timeout_action === 'dial';
    }, 10_000, 'the form to save the limit');
    await p.reload();
    await p.getByRole('link', { name: 'Campaigns' }).click();
    await p.locator('#camp-table').getByRole('button', { name: 'Timed form' }).click();
    await p.waitForFunction(() => document.querySelector<HTMLInputElement>('#camp-preview-limit')?.value === '45', undefined, { timeout: 10_000 });
    await expect(panel.getByLabel('When the preview time runs out').inputValue()).resolves.toBe('dial');

    await limit.fill('');
    await panel.getByRole('button', { name: 'Save', exact: true }).click();
    await waitFor(async () => {
      const [row] = await hx.t.db.query(`SELECT preview_time_limit_s FROM campaigns WHERE id = $1`, [c.body.id]);
      return row.preview_time_limit_s === null;
    }, 10_000, 'the form to clear the limit');
  });
});
