/**
 * MLflow's error model: every failure that reaches a client is an `MlflowError` carrying one of
 * MLflow's error codes; the HTTP status comes from the same table MLflow uses
 * (mlflow/exceptions.py ERROR_CODE_TO_HTTP_STATUS), so clients react exactly as they do to
 * `mlflow server` (a 5xx makes the Python client retry for a minute, so client mistakes never map there).
 */
export const ERROR_CODE_TO_HTTP_STATUS = {
  INTERNAL_ERROR: 500,
  INVALID_STATE: 500,
  DATA_LOSS: 500,
  NOT_IMPLEMENTED: 501,
  TEMPORARILY_UNAVAILABLE: 503,
  DEADLINE_EXCEEDED: 504,
  REQUEST_LIMIT_EXCEEDED: 429,
  CANCELLED: 499,
  RESOURCE_EXHAUSTED: 429,
  ABORTED: 409,
  RESOURCE_CONFLICT: 409,
  ALREADY_EXISTS: 409,
  NOT_FOUND: 404,
  ENDPOINT_NOT_FOUND: 404,
  RESOURCE_DOES_NOT_EXIST: 404,
  PERMISSION_DENIED: 403,
  CUSTOMER_UNAUTHORIZED: 401,
  UNAUTHENTICATED: 401,
  BAD_REQUEST: 400,
  RESOURCE_ALREADY_EXISTS: 400,
  INVALID_PARAMETER_VALUE: 400,
} as const;

export type ErrorCode = keyof typeof ERROR_CODE_TO_HTTP_STATUS;

export class MlflowError extends Error {
  readonly errorCode: ErrorCode;
  private readonly statusOverride: number | undefined;
  /**
   * `httpStatus` overrides the table for the few cases where MLflow answers a client's mistake
   * with a 5xx code (e.g. INVALID_STATE on renaming a deleted experiment): the client would retry
   * those for a minute, so we keep MLflow's error code but answer 400.
   */
  constructor(message: string, errorCode: ErrorCode = 'INTERNAL_ERROR', httpStatus?: number) {
    super(message);
    this.name = 'MlflowError';
    this.errorCode = errorCode;
    this.statusOverride = httpStatus;
  }
  get httpStatus(): number {
    return this.statusOverride ?? ERROR_CODE_TO_HTTP_STATUS[this.errorCode];
  }
  toJSON(): { error_code: ErrorCode; message: string } {
    return { error_code: this.errorCode, message: this.message };
  }
}

export const invalidParam = (message: string): MlflowError => new MlflowError(message, 'INVALID_PARAMETER_VALUE');
export const notFound = (message: string): MlflowError => new MlflowError(message, 'RESOURCE_DOES_NOT_EXIST');
export const alreadyExists = (message: string): MlflowError => new MlflowError(message, 'RESOURCE_ALREADY_EXISTS');
