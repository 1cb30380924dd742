import { agentBody } from './pages';

describe('agent desktop markup', () => {
  it('offers the browser phone only when real SIP telephony is configured', () => {
    const withPhone = agentBody('en', { softphone: true }).value;
    expect(withPhone).toMatch(/<a id="softphone-link" href="\/softphone"[^>]*>Browser phone/);
    expect(agentBody('en').value).not.toContain('softphone-link');
    expect(agentBody('zh-CN', { softphone: true }).value).toContain('浏览器电话');
  });
});
