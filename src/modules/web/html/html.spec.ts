import { html, jsonForScript, SafeHtml } from './html';

describe('html template', () => {
  it('escapes interpolated text so a lead name cannot inject markup', () => {
    const name = '<img src=x onerror="alert(1)">';
    expect(html`<p>${name}</p>`.value).toBe('<p>&lt;img src=x onerror=&quot;alert(1)&quot;&gt;</p>');
  });

  it('keeps nested safe markup and joins arrays', () => {
    const items = ['a&b', 'c'].map((x) => html`<li>${x}</li>`);
    expect(html`<ul>${items}</ul>`.value).toBe('<ul><li>a&amp;b</li><li>c</li></ul>');
    expect(html`${new SafeHtml('<b>x</b>')}${null}${undefined}${false}`.value).toBe('<b>x</b>');
  });

  it('emits JSON that cannot close its script element', () => {
    expect(jsonForScript({ s: '</script><script>x()</script>' }).value).not.toContain('</script>');
    expect(JSON.parse(jsonForScript({ s: '</script>' }).value)).toEqual({ s: '</script>' });
  });
});
