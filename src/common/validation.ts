import { BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';
import { FieldError } from './errors/domain-error';

function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((reason) => ({ field, reason }));
    return own.concat(flatten(e.children ?? [], field));
  });
}

/** The global pipe: unknown fields are refused, and every error names its field and reason. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => {
      const fieldErrors = flatten(errors);
      return new BadRequestException({ message: fieldErrors.map((e) => `${e.field}: ${e.reason}`), errors: fieldErrors });
    },
  });
}
