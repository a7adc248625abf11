/**
 * OSS error responses. Facts relied on (Alibaba Cloud OSS API reference, "Error responses", doc 32005):
 * an error is an HTTP status plus an `application/xml` body
 * `<Error><Code/><Message/><RequestId/><HostId/><EC/></Error>`, and the fine-grained error code is also sent
 * as the `x-oss-ec` response header. A HEAD response carries no body, so only the status and headers. The
 * error document is also sent base64-encoded in `x-oss-err` (not in the reference; Alibaba's official SDKs —
 * Go v2.2.7 "support get info from EC & x-oss-err", Python v2, Java — read it when a response has no body).
 */
import { escapeXml } from './xml.js';

/** One error the server answers with. `extra` adds operation-specific elements (e.g. `<Header>`, `<Key>`). */
export class OssError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, string> = {},
    /** The documented fine-grained code (`x-oss-ec`), where the reference names one. */
    readonly ec?: string,
    /** Response headers the answer carries besides the error (e.g. `x-oss-delete-marker`). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function errorXml(error: OssError, requestId: string, hostId: string): string {
  const extra = Object.entries(error.extra)
    .map(([k, v]) => `  <${k}>${escapeXml(v)}</${k}>\n`)
    .join('');
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n<Error>\n' +
    `  <Code>${escapeXml(error.code)}</Code>\n` +
    `  <Message>${escapeXml(error.message)}</Message>\n` +
    `  <RequestId>${requestId}</RequestId>\n` +
    `  <HostId>${escapeXml(hostId)}</HostId>\n` +
    extra +
    (error.ec ? `  <EC>${error.ec}</EC>\n` : '') +
    '</Error>\n'
  );
}

/** The errors several operations share, with the status and wording the reference gives them. */
export const errors = {
  noSuchBucket: (bucket: string) => new OssError(404, 'NoSuchBucket', 'The specified bucket does not exist.', { BucketName: bucket }),
  noSuchKey: (key: string, headers: Record<string, string> = {}) => new OssError(404, 'NoSuchKey', 'The specified key does not exist.', { Key: key }, undefined, headers),
  noSuchVersion: (key: string, versionId: string) => new OssError(404, 'NoSuchVersion', 'The specified version does not exist.', { Key: key, VersionId: versionId }),
  accessDenied: (message: string) => new OssError(403, 'AccessDenied', message),
  invalidArgument: (message: string, name?: string, value?: string) =>
    new OssError(400, 'InvalidArgument', message, name === undefined ? {} : { ArgumentName: name, ArgumentValue: value ?? '' }),
  malformedXml: () =>
    new OssError(400, 'MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema.', {}, '0031-00000001'),
  /** x-oss-forbid-overwrite refused the write (PutObject, CopyObject, CompleteMultipartUpload: 409, EC 0042-00000214 for the latter). */
  fileAlreadyExists: (key: string) => new OssError(409, 'FileAlreadyExists', 'The object you specified already exists and can not be overwritten.', { Key: key }),
  /** GetObject/HeadObject If-Match / If-Unmodified-Since not met (412, EC 0017-00001001). */
  preconditionFailed: (condition: string) =>
    new OssError(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold.', { Condition: condition }, '0017-00001001'),
};
