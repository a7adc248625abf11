/**
 * Authenticating a request: which access keys exist (long-lived ones and STS temporary ones), and whether
 * the request's Authorization header proves it was signed with the key's secret. Facts relied on (OSS API
 * reference: the V1/V4 signature pages, "Error responses", and the 0002-* troubleshooting pages):
 * - an unknown AccessKeyId → 403 InvalidAccessKeyId; a wrong signature → 403 SignatureDoesNotMatch, whose
 *   body carries the StringToSign the server computed; a malformed Authorization → 400 InvalidArgument;
 * - a missing or malformed Date → 403 AccessDenied; more than 15 minutes off the server clock → 403 RequestTimeTooSkewed;
 * - STS keys must come with their own `x-oss-security-token` (0002-00000004/8 when they do not match) and
 *   stop working when they expire (0002-00000007);
 * - a request without Authorization is anonymous, and every bucket here is private → 403 AccessDenied.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { OssError, errors } from './errors.js';
import {
  type SignableRequest,
  parseAuthorization,
  v1Signature,
  v1StringToSign,
  v4CanonicalRequest,
  v4Scope,
  v4Signature,
  v4StringToSign,
} from './signature.js';

/** An access key the server accepts. Temporary (STS) keys have a token and an expiry. */
export interface AccessKey {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
  /** Epoch ms after which the key is refused. */
  expiresAt?: number;
}

const MAX_SKEW_MS = 15 * 60 * 1000;

/** The keys the server knows. */
export class KeyRing {
  private readonly keys = new Map<string, AccessKey>();

  add(key: AccessKey): AccessKey {
    this.keys.set(key.accessKeyId, { ...key });
    return key;
  }

  get(accessKeyId: string): AccessKey | undefined {
    return this.keys.get(accessKeyId);
  }

  /** A fresh STS-style temporary key valid for `ttlMs`. */
  issueTemporary(ttlMs: number): AccessKey {
    return this.add({
      accessKeyId: `STS.${randomBytes(9).toString('hex')}`,
      accessKeySecret: randomBytes(18).toString('base64url'),
      securityToken: `CAIS${randomBytes(24).toString('base64url')}`,
      expiresAt: Date.now() + ttlMs,
    });
  }

  /** Makes a key expire now (as if its lifetime had passed). */
  expire(accessKeyId: string): void {
    const key = this.keys.get(accessKeyId);
    if (key) key.expiresAt = Date.now() - 1;
  }
}

/** The request as the authenticator sees it. */
export interface AuthRequest extends SignableRequest {
  authorization: string | undefined;
}

/** Throws the OSS error the service would answer with, or returns the key that signed the request. */
export function authenticate(req: AuthRequest, keys: KeyRing, region: string, now = Date.now()): AccessKey {
  if (req.authorization === undefined) throw errors.accessDenied('AccessDenied: anonymous access is not allowed; sign the request.');
  const auth = parseAuthorization(req.authorization);
  if (!auth) throw errors.invalidArgument('Authorization header is invalid.', 'Authorization', req.authorization);
  const key = keys.get(auth.accessKeyId);
  if (!key) throw new OssError(403, 'InvalidAccessKeyId', 'The OSS Access Key Id you provided does not exist in our records.', { OSSAccessKeyId: auth.accessKeyId });
  if (key.securityToken !== undefined) {
    const token = req.headers['x-oss-security-token'];
    if (token === undefined) throw new OssError(403, 'InvalidSecurityToken', 'The security token you provided is invalid.', {}, '0002-00000008');
    if (token !== key.securityToken)
      throw new OssError(403, 'AccessKeyIdAndSecurityTokenNotMatch', 'The OSS access key id and security token you provided does not match.', {}, '0002-00000004');
    if (key.expiresAt !== undefined && now > key.expiresAt) throw new OssError(403, 'SecurityTokenExpired', 'The security token you provided has expired.', {}, '0002-00000007');
  }

  let stringToSign: string;
  let expected: string;
  let dateText: string | undefined;
  if (auth.version === 1) {
    dateText = req.headers.date ?? req.headers['x-oss-date'];
    checkTime(dateText === undefined ? NaN : Date.parse(dateText), now);
    stringToSign = v1StringToSign(req);
    expected = v1Signature(key.accessKeySecret, stringToSign);
  } else {
    dateText = req.headers['x-oss-date'];
    const m = dateText === undefined ? null : /^(\d{8})T(\d{2})(\d{2})(\d{2})Z$/.exec(dateText);
    if (!m) throw new OssError(403, 'AccessDenied', 'The x-oss-date header is missing or not in ISO 8601 basic format (YYYYMMDDTHHMMSSZ).', {}, '0002-00000502');
    const d = m[1]!;
    checkTime(Date.parse(`${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}T${m[2]}:${m[3]}:${m[4]}Z`), now);
    if (auth.date !== d) throw errors.invalidArgument('The date in the Credential scope does not match x-oss-date.', 'Credential', auth.date);
    const canonical = v4CanonicalRequest(req, auth.additionalHeaders);
    stringToSign = v4StringToSign(dateText!, v4Scope(d, region, 'oss'), canonical);
    expected = v4Signature(key.accessKeySecret, d, region, stringToSign, 'oss');
  }
  if (!sameText(auth.signature, expected)) {
    throw new OssError(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.', {
      StringToSign: stringToSign,
      SignatureProvided: auth.signature,
      OSSAccessKeyId: auth.accessKeyId,
    });
  }
  return key;
}

function checkTime(time: number, now: number): void {
  if (Number.isNaN(time)) throw new OssError(403, 'AccessDenied', 'OSS authentication requires a valid Date.');
  if (Math.abs(time - now) > MAX_SKEW_MS) throw new OssError(403, 'RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.');
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
