/**
 * Removing credentials from text before it reaches a message or a log line. Values of variables that
 * hold secrets (registered by backends, plus the well-known ones) are replaced by `***`.
 */

const SECRET_VARIABLES = new Set([
  'S3_SECRET_ACCESS_KEY',
  'S3_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'ALIYUN_ACCESS_KEY_SECRET',
  'ALIYUN_ACCESS_KEY_ID',
  'OS_PASSWORD',
  'OS_APPLICATION_CREDENTIAL_SECRET',
  'VAULT_TOKEN',
  'GOOGLE_APPLICATION_CREDENTIALS_JSON',
  'AZURE_STORAGE_KEY',
]);

const extraSecrets = new Set<string>();

/** Registers a secret value (e.g. a token obtained at run time) so that it is never printed. */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 4) extraSecrets.add(value);
}

/** Registers the name of an environment variable that holds a secret. */
export function registerSecretVariable(name: string): void {
  SECRET_VARIABLES.add(name);
}

export function redactSecrets(text: string, env: NodeJS.ProcessEnv = process.env): string {
  let out = text;
  const values = new Set(extraSecrets);
  for (const name of SECRET_VARIABLES) {
    const v = env[name];
    if (v && v.length >= 4) values.add(v);
  }
  for (const v of values) out = out.split(v).join('***');
  // Authorization headers and signatures that an SDK may echo.
  return out
    .replace(/(authorization["']?\s*[:=]\s*["']?)[^"',\s]+(\s+[^"',\s]+)?/gi, '$1***')
    .replace(/(x-(?:auth|vault|amz-security|oss-security)-token["']?\s*[:=]\s*["']?)[^"',\s]+/gi, '$1***')
    .replace(/([?&](?:X-Amz-Signature|X-Amz-Credential|Signature|sig|token)=)[^&\s"']+/gi, '$1***');
}
