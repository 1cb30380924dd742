import { AgentStateService } from '../../src/modules/agents/agent-state.service';
import { Role } from '../../src/modules/users/user.entity';
import { callInWrapUp, makeCampaign } from '../integration/dialer-fixtures';
import { BrowserHarness, describeBrowser, PASSWORD, startHarness } from './harness';

jest.setTimeout(120_000);

/**
 * The manager console's "Waiting for outcome" tab: calls left in wrap-up by an agent who was disabled (or is silent),
 * and the form that records the outcome on the agent's behalf.
 */
describeBrowser('manager console: record the outcome of a call a disabled agent left in wrap-up (headless Chromium)', () => {
  let hx: BrowserHarness;

  beforeAll(async () => {
    hx = await startHarness();
  });
  afterAll(() => hx?.close());

  it('lists the call with the agent’s account state, refuses a missing reason at its field, then saves the outcome', async () => {
    const { t } = hx;
    const admin = { Authorization: `Bearer ${await t.tokenFor(Role.Admin)}` };
    const { page, user: manager } = await hx.loginAs(Role.Manager);
    const fx = await makeCampaign(t.db, { ok: 3, mode: 'preview' });
    await t.db.query(`UPDATE campaigns SET name = 'Spring renewals', created_by = $2 WHERE id = $1`, [fx.campaignId, manager.id]);
    const toWrapUp = (a: string, c: string, id: string) => t.app.get(AgentStateService).transition(a, 'wrap_up', c, { callId: id });
    const newAgent = async (name: string) => (await t.http.post('/api/users').set(admin)
      .send({ email: `${name.toLowerCase()}-${Date.now()}@test.local`, displayName: name, role: Role.Agent, password: PASSWORD }).expect(201)).body.id as string;
    // Dana was disabled in the middle of a call; Eli is active and has just ended his.
    const dana = await newAgent('Dana');
    const danaCall = await callInWrapUp(t.db, fx, dana, 0, toWrapUp);
    await t.http.patch(`/api/users/${dana}`).set(admin).send({ active: false }).expect(200);
    const eli = await newAgent('Eli');
    const eliCall = await callInWrapUp(t.db, fx, eli, 1, toWrapUp);

    await page.goto('/manager#wrapups');
    const danaRow = page.locator(`#wu-table tr[data-call-id="${danaCall}"]`);
    await danaRow.waitFor();
    await expect(danaRow.textContent()).resolves.toMatch(/Spring renewals.*Dana.*Disabled/);
    // Eli may still be typing his outcome: no button, a note instead.
    const eliRow = page.locator(`#wu-table tr[data-call-id="${eliCall}"]`);
    await expect(eliRow.textContent()).resolves.toContain('Agent still in wrap-up');
    await expect(eliRow.getByRole('button').count()).resolves.toBe(0);

    await danaRow.getByRole('button', { name: 'Record outcome' }).click();
    await page.getByLabel('Outcome', { exact: true }).selectOption('no_sale');
    await page.getByRole('button', { name: 'Save outcome' }).click();
    // The server's 400 names the reason: shown, marked on the field, focused.
    await page.locator('#wu-error:not([hidden])').waitFor();
    await expect(page.locator('#wu-error').textContent()).resolves.toContain('reason');
    await expect(page.locator('#wu-reason').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('wu-reason');
    await hx.screenshot(page, 'manager-wrapups-error');

    await page.getByLabel('Reason (kept in the compliance record)').fill('agent disabled mid-call');
    await page.getByLabel('Notes', { exact: true }).fill('customer said no before the line dropped');
    await page.getByRole('button', { name: 'Save outcome' }).click();
    await page.locator('#toast', { hasText: 'Outcome saved for Dana.' }).waitFor();
    await danaRow.waitFor({ state: 'detached' });
    await expect(page.locator('#wu-form').isHidden()).resolves.toBe(true);
    const [d] = await t.db.query(`SELECT outcome, agent_id, recorded_by, recorded_reason FROM dispositions WHERE call_id = $1`, [danaCall]);
    expect(d).toEqual({ outcome: 'no_sale', agent_id: dana, recorded_by: manager.id, recorded_reason: 'agent disabled mid-call' });
    await expect(eliRow.isVisible()).resolves.toBe(true);
    await hx.screenshot(page, 'manager-wrapups');
  });

  it("the agent's desk drops the wrap-up form and says so when a supervisor records the outcome of the agent's call", async () => {
    const { t } = hx;
    const admin = { Authorization: `Bearer ${await t.tokenFor(Role.Admin)}` };
    const { page, user: agent } = await hx.loginAs(Role.Agent);
    const fx = await makeCampaign(t.db, { ok: 3, mode: 'preview' });
    const toWrapUp = (a: string, c: string, id: string) => t.app.get(AgentStateService).transition(a, 'wrap_up', c, { callId: id });
    const callId = await callInWrapUp(t.db, fx, agent.id, 0, toWrapUp);
    await t.db.query(`UPDATE calls SET end_at = now() - interval '2 min' WHERE id = $1`, [callId]); // silent for 2 minutes
    await page.goto('/agent');
    await page.locator('#wrapup').waitFor();
    await expect(page.evaluate(() => (document.querySelector('#dispo-fields') as HTMLFieldSetElement).disabled)).resolves.toBe(false);
    await t.http.post(`/api/wrap-ups/${callId}/disposition`).set(admin).send({ outcome: 'no_sale', reason: 'agent silent for two minutes' }).expect(200);
    await page.locator('#toast', { hasText: 'A supervisor recorded the outcome of this call.' }).waitFor();
    await page.locator('#wrapup').waitFor({ state: 'hidden' });
    await page.locator('#call').waitFor({ state: 'hidden' });
    await expect(page.evaluate(() => (document.querySelector('#dispo-fields') as HTMLFieldSetElement).disabled)).resolves.toBe(true);
    await expect(page.locator('#state-label').textContent()).resolves.toContain('Outcome recorded by a supervisor');
  });
});
