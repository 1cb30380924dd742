import { BadRequestException } from '@nestjs/common';
import { IsString } from 'class-validator';
import { createValidationPipe, findNul } from './validation';

class NameDto {
  @IsString() name!: string;
}

describe('validation pipe', () => {
  it('finds the first NUL character by its field path', () => {
    expect(findNul({ a: 'ok', b: { c: ['x', 'y\u0000'] } })).toBe('b.c.1');
    expect(findNul({ a: 'ok', n: 3, z: null })).toBeNull();
  });

  it('refuses a NUL character in a body with the field and the reason, before the DTO rules', async () => {
    const pipe = createValidationPipe();
    const err = await pipe.transform({ name: 'a\u0000b' }, { type: 'body', metatype: NameDto, data: '' }).catch((e) => e);
    expect(err).toBeInstanceOf(BadRequestException);
    expect(err.getResponse()).toMatchObject({ errors: [{ field: 'name', reason: expect.stringContaining('NUL') }] });
    await expect(pipe.transform({ name: 'fine' }, { type: 'body', metatype: NameDto, data: '' })).resolves.toMatchObject({ name: 'fine' });
  });

  it('names a query parameter by its name', async () => {
    const err = await createValidationPipe().transform('x\u0000', { type: 'query', metatype: String, data: 'phone' }).catch((e) => e);
    expect(err.getResponse()).toMatchObject({ errors: [{ field: 'phone' }] });
  });
});
