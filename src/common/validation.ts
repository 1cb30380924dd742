import { ArgumentMetadata, BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';
import { registerDecorator, ValidateIf, ValidationOptions } from 'class-validator';
import { FieldError } from './errors/domain-error';

function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((reason) => ({ field, reason }));
    return own.concat(flatten(e.children ?? [], field));
  });
}

/** The path of the first string holding a NUL character (PostgreSQL cannot store one in text), or null. */
export function findNul(value: unknown, path = '', depth = 0): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path || 'value' : null;
  if (depth > 20 || value === null || typeof value !== 'object') return null;
  for (const [k, v] of Object.entries(value)) {
    const found = findNul(v, path ? `${path}.${k}` : k, depth + 1);
    if (found) return found;
  }
  return null;
}

/** Refuses a NUL character in any input string (naming the field) before the DTO's own rules run. */
class DialerValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const field = metadata.type === 'custom' ? null : findNul(value, metadata.type === 'body' ? '' : metadata.data ?? '');
    if (field) {
      const errors = [{ field, reason: 'must not contain a NUL character (\\u0000)' }];
      throw new BadRequestException({ message: errors.map((e) => `${e.field}: ${e.reason}`), errors });
    }
    return super.transform(value, metadata);
  }
}

/** The global pipe: unknown fields are refused, NUL characters too, and every error names its field and reason. */
export function createValidationPipe(): ValidationPipe {
  return new DialerValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => {
      const fieldErrors = flatten(errors);
      return new BadRequestException({ message: fieldErrors.map((e) => `${e.field}: ${e.reason}`), errors: fieldErrors });
    },
  });
}

/** Refuses null (undefined passes): for settings that always have a value, where null would not mean "clear". */
export function NotNull(options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'notNull', target: object.constructor, propertyName, options,
      validator: { validate: (v: unknown) => v !== null, defaultMessage: () => 'must not be null' },
    });
}

/**
 * May be left out (the current value or the default stays), but not null: unlike @IsOptional(), which lets null
 * through to a column that cannot hold it. Fields where null means "clear it" keep @IsOptional().
 */
export function IsOptionalNotNull(options?: ValidationOptions) {
  return (object: object, propertyName: string) => {
    ValidateIf((_, v) => v !== undefined)(object, propertyName);
    NotNull(options)(object, propertyName);
  };
}
