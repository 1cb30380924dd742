import { Role } from '../../src/modules/users/user.entity';
import { createTestApp, TestApp } from '../setup/test-app';

describe('web: live preview of unsaved script sections', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());
  const post = async (role: Role, body: object) => t.http.post('/api/web/script-preview').set('Authorization', `Bearer ${await t.tokenFor(role)}`).send(body);

  it('renders each section for the sample lead, HTML-escaped, in any language', async () => {
    const res = await post(Role.Manager, {
      sections: [
        { key: 'greeting', title: '问候', template: '{{lead.firstName}}您好！', branches: [{ label: '有兴趣', goto: 'pitch' }] },
        { key: 'pitch', title: 'Pitch', template: 'Your plan: {{lead.custom.plan}}' },
      ],
      lead: { firstName: '<b>王</b>', custom: { plan: 'Gold' } },
    });
    expect(res.status).toBe(200);
    expect(res.body.sections[0]).toEqual({ key: 'greeting', title: '问候', html: '&lt;b&gt;王&lt;/b&gt;您好！', branches: [{ label: '有兴趣', goto: 'pitch' }] });
    expect(res.body.sections[1].html).toBe('Your plan: Gold');
  });

  it('answers 400 naming the section, line and column of each template problem', async () => {
    const res = await post(Role.Manager, {
      sections: [
        { key: 'greeting', title: 'Hi', template: 'Hello {{lead.firstName}}\nand {{lead.nosuch}}' },
        { key: 'close', title: 'Close', template: 'ok {{#if}}', branches: [{ label: 'x', goto: 'missing' }] },
      ],
    });
    expect(res.status).toBe(400);
    const fields = res.body.errors.map((e: { field: string }) => e.field);
    expect(fields).toContain('sections[0].template');
    expect(fields).toContain('sections[1].branches[0].goto');
    const unknown = res.body.errors.find((e: { field: string }) => e.field === 'sections[0].template');
    // The column points at the variable inside the braces: "and {{" is 6 characters.
    expect(unknown).toMatchObject({ line: 2, column: 7 });
    expect(unknown.reason).toMatch(/nosuch/);
  });

  it.each([Role.Agent, Role.Compliance])('refuses %s with 403', async (role) => {
    expect((await post(role, { sections: [{ key: 'a', title: 'a', template: 'x' }] })).status).toBe(403);
  });
});
