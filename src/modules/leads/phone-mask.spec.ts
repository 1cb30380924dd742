import { Role } from '../users/user.entity';
import { maskPhone, seesFullPhone } from './phone-mask';

describe('phone masking', () => {
  it('hides the middle digits', () => {
    expect(maskPhone('+14155550123')).toBe('+1415***0123');
    expect(maskPhone('+447911123456')).toBe('+4479***3456');
    expect(maskPhone('+3581234')).toBe('+35***34');
  });
  it('shows full numbers only to admins and managers', () => {
    expect([Role.Admin, Role.Manager, Role.Compliance, Role.Agent].map(seesFullPhone)).toEqual([true, true, false, false]);
  });
});
