import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { en } from './en';
import { pickLang, translate } from './messages';
import { zhCN } from './zh-cn';

describe('page translations', () => {
  it('has every key the page scripts ask for, in English and Chinese', () => {
    const dir = join(__dirname, '..', 'public', 'js');
    const used = new Set<string>();
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.js'))) {
      const src = readFileSync(join(dir, f), 'utf8');
      for (const m of src.matchAll(/\bt\(\s*'([a-zA-Z0-9_.]+)'/g)) used.add(m[1]);
    }
    expect(used.size).toBeGreaterThan(50);
    const missing = [...used].filter((k) => !(k in en) || !(k in zhCN));
    expect(missing).toEqual([]);
  });

  it('has a Chinese text for every English one, and no English left untranslated in the Chinese catalogue', () => {
    const same = Object.keys(en).filter((k) => /[a-z]{4,}/i.test(en[k as keyof typeof en]) && en[k as keyof typeof en] === zhCN[k as keyof typeof en]);
    expect(same).toEqual([]);
  });

  it('picks the language from the cookie, then Accept-Language, else English', () => {
    expect(pickLang('a=1; dialer_lang=zh-CN', 'en-US')).toBe('zh-CN');
    expect(pickLang('dialer_lang=fr', 'zh-TW,zh;q=0.9')).toBe('zh-CN');
    expect(pickLang(undefined, 'de-DE')).toBe('en');
    expect(pickLang(undefined, undefined)).toBe('en');
    expect(translate('zh-CN', 'login.submit')).toBe('登录');
  });
});
