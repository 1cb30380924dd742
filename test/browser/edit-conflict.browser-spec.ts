import { Page } from 'playwright-core';
import { Role } from '../../src/modules/users/user.entity';
import { BrowserHarness, describeBrowser, startHarness } from './harness';

jest.setTimeout(90_000);

describeBrowser('manager console: two managers editing the same campaign (headless Chromium)', () => {
  let hx: BrowserHarness;
  let pageA: Page;
  let pageB: Page;
  beforeAll(async () => {
    hx = await startHarness({ api: true, worker: false });
    ({ page: pageA } = await hx.loginAs(Role.Manager));
    ({ page: pageB } = await hx.loginAs(Role.Manager));
  });
  afterAll(() => hx?.close());

  const openCampaign = async (page: Page, name: string) => {
    await page.goto('/manager#campaigns');
    await page.reload(); // the campaign list is loaded with the page (a hash change alone does not reload it)
    await page.locator('#camp-table').getByRole('button', { name }).click();
    await page.waitForFunction(() => !document.querySelector('#camp-form')?.hasAttribute('aria-busy'));
    return page.locator('#tab-campaigns');
  };

  it('refuses to save over a change made since the form was opened, says so, keeps what was typed, and saves after a reload', async () => {
    const name = `Spring renewals ${Date.now()}`;
    const token = await hx.t.tokenFor(Role.Manager);
    const { body: c } = await hx.t.http.post('/api/campaigns').set({ Authorization: `Bearer ${token}` }).send({ name }).expect(201);

    // Both managers open the campaign.
    const panelA = await openCampaign(pageA, name);
    const panelB = await openCampaign(pageB, name);

    // B changes the ring timeout and saves first.
    await panelB.getByLabel('Ring timeout (s)').fill('40');
    await panelB.getByRole('button', { name: 'Save' }).click();
    await pageB.getByText('Saved').first().waitFor();

    // A, still on the form loaded before B's save, changes the lines per agent and saves.
    await panelA.getByLabel('Max lines per agent').fill('1.5');
    await panelA.getByLabel('Max attempts per day').fill('2');
    await panelA.getByRole('button', { name: 'Save' }).click();
    const err = pageA.locator('#camp-error');
    await err.waitFor({ state: 'visible' });
    await expect(err.textContent()).resolves.toContain('changed by someone else since you opened it. Reload to see the changes');
    await hx.screenshot(pageA, 'manager-campaign-edit-conflict');
    // What A typed is still there; the campaign holds B's change only.
    await expect(panelA.getByLabel('Max lines per agent').inputValue()).resolves.toBe('1.5');
    await expect(panelA.getByLabel('Max attempts per day').inputValue()).resolves.toBe('2');
    const { body: now } = await hx.t.http.get(`/api/campaigns/${c.id}`).set({ Authorization: `Bearer ${token}` }).expect(200);
    expect(now).toMatchObject({ version: 2, pacing: { ringTimeoutS: 40, maxLinesPerAgent: 3 }, retryRules: { maxAttemptsPerDay: 3 } });

    // Reload shows B's change; A's edit made again is saved on top of it.
    await err.getByRole('button', { name: /Reload/ }).click();
    await pageA.waitForFunction(() => (document.querySelector('#camp-form [name="ringTimeoutS"]') as HTMLInputElement | null)?.value === '40');
    await expect(err.isVisible()).resolves.toBe(false);
    await panelA.getByLabel('Max lines per agent').fill('1.5');
    await panelA.getByRole('button', { name: 'Save' }).click();
    await pageA.getByText('Saved').first().waitFor();
    const { body: after } = await hx.t.http.get(`/api/campaigns/${c.id}`).set({ Authorization: `Bearer ${token}` }).expect(200);
    expect(after).toMatchObject({ version: 3, pacing: { ringTimeoutS: 40, maxLinesPerAgent: 1.5 } });
  });
});
