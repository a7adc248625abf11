/**
 * An S3 error answer in the shape of the SDK's service errors, so that the driver's error mapping
 * (errors.ts) reads both clients alike: `name` and `Code` from the XML body's <Code> (or, for answers
 * without a body such as HEAD's, the name the SDK gives the status), the <Message>,
 * `$metadata.httpStatusCode`, `$response.headers` (x-amz-bucket-region, …) and `$fault`.
 */
import { elementText } from './xml.js';

type Headers = Record<string, string | string[] | undefined>;

/** What the SDK names errors that came without a body. */
const STATUS_NAMES: Record<number, string> = { 301: 'MovedPermanently', 304: 'NotModified', 400: 'BadRequest', 403: 'Forbidden', 404: 'NotFound', 412: 'PreconditionFailed' };

export interface ServiceError extends Error {
  Code: string;
  $fault: 'client' | 'server';
  $metadata: { httpStatusCode: number; requestId?: string; clockSkewCorrected?: boolean };
  $response: { statusCode: number; headers: Record<string, string | undefined> };
}

/**
 * The error for an answer with `status` and `body` (`afterSuccess`: a 200 whose body was an error, as a
 * failed CopyObject may send: the SDK reports those as 400s, judged by their code).
 */
export function serviceError(status: number, headers: Headers, body: string, afterSuccess: boolean): ServiceError {
  const code = elementText(body, 'Code') ?? STATUS_NAMES[status] ?? (status >= 500 ? 'InternalError' : 'Unknown');
  const message = elementText(body, 'Message') ?? (body ? `HTTP ${status}` : `HTTP ${status} (no body)`);
  const flat: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers)) flat[name] = Array.isArray(value) ? value.join(',') : value;
  const httpStatusCode = afterSuccess ? 400 : status;
  const requestId = flat['x-amz-request-id'];
  return Object.assign(new Error(message), {
    name: code,
    Code: code,
    $fault: httpStatusCode >= 500 ? ('server' as const) : ('client' as const),
    $metadata: { httpStatusCode, ...(requestId ? { requestId } : {}) },
    $response: { statusCode: httpStatusCode, headers: flat },
  });
}
