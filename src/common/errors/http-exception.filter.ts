import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { Response } from 'express';
import { QueryFailedError } from 'typeorm';
import { DomainError, DomainErrorCode, FieldError } from './domain-error';

const STATUS: Record<DomainErrorCode, number> = {
  VALIDATION: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  INVALID_STATE: 409,
  UNPROCESSABLE: 422,
  TOO_MANY_REQUESTS: 429,
  PRECONDITION_FAILED: 412,
};

interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  errors?: FieldError[];
  [extra: string]: unknown;
}

/** One filter for the whole API: every error body has a status, a message and, where known, the fields at fault. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const body = this.toBody(exception);
    if (body.statusCode >= 500) {
      // The error's own message may quote input; log its type and stack frames only.
      const err = exception as Error;
      this.logger.error({ err: { type: err?.name, stack: err?.stack?.split('\n').slice(1, 6).join('\n') } }, 'unhandled error');
    }
    if (res.headersSent) return;
    res.status(body.statusCode).json(body);
  }

  private toBody(exception: unknown): ErrorBody {
    if (exception instanceof DomainError) {
      const statusCode = STATUS[exception.code];
      return { ...exception.extra, statusCode, error: exception.code, message: exception.message, errors: exception.errors.length ? exception.errors : undefined };
    }
    if (exception instanceof HttpException) {
      const statusCode = exception.getStatus();
      const response = exception.getResponse() as string | { message?: unknown; errors?: FieldError[] };
      if (typeof response === 'string') return { statusCode, error: HttpStatus[statusCode] ?? 'ERROR', message: response };
      const msg = response.message;
      const message = Array.isArray(msg) ? msg.join('; ') : String(msg ?? exception.message);
      return { statusCode, error: HttpStatus[statusCode] ?? 'ERROR', message, errors: response.errors };
    }
    if (exception instanceof QueryFailedError) {
      const code = (exception as unknown as { code?: string }).code;
      if (code === '23505') return { statusCode: 409, error: 'CONFLICT', message: 'a record with the same unique value already exists' };
      if (code === '23503') return { statusCode: 409, error: 'CONFLICT', message: 'a referenced record does not exist or is still in use' };
      if (code === '22P02' || code === '22007' || code === '22008') return { statusCode: 400, error: 'VALIDATION', message: 'a value has the wrong format' };
      // A NUL byte or a character the database encoding cannot hold, in a path that bypasses the validation pipe.
      if (code === '22003') return { statusCode: 400, error: 'VALIDATION', message: 'a number is out of range' };
      if (code === '22021' || code === '22P05') return { statusCode: 400, error: 'VALIDATION', message: 'a text value holds a character that cannot be stored (e.g. NUL)' };
    }
    return { statusCode: 500, error: 'INTERNAL', message: 'internal error' };
  }
}
