/**
 * Loading the AWS SDK on first real use, so that a program that never touches S3 never pays for it
 * (the plugin module itself imports only types).
 */
export type S3Sdk = typeof import('@aws-sdk/client-s3');
export type LibStorage = typeof import('@aws-sdk/lib-storage');

let sdk: Promise<S3Sdk> | undefined;
let storage: Promise<LibStorage> | undefined;

/** `@aws-sdk/client-s3`, imported once. */
export function loadSdk(): Promise<S3Sdk> {
  return (sdk ??= import('@aws-sdk/client-s3'));
}

/** `@aws-sdk/lib-storage` (multipart uploads of streams), imported on the first streamed write. */
export function loadLibStorage(): Promise<LibStorage> {
  return (storage ??= import('@aws-sdk/lib-storage'));
}
