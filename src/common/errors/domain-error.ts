/** Codes a service may throw; the filter maps each to an HTTP status. */
export type DomainErrorCode =
  | 'VALIDATION' | 'NOT_FOUND' | 'CONFLICT' | 'FORBIDDEN' | 'UNAUTHORIZED' | 'INVALID_STATE' | 'UNPROCESSABLE' | 'TOO_MANY_REQUESTS'
  | 'PRECONDITION_FAILED';

export interface FieldError {
  field: string;
  reason: string;
  line?: number;
  column?: number;
}

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly errors: FieldError[] = [],
    /** Extra top-level members of the error body (e.g. currentVersion on a 412). */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new DomainError('NOT_FOUND', `${what} not found`);
export const invalid = (field: string, reason: string) => new DomainError('VALIDATION', `${field} ${reason}`, [{ field, reason }]);
