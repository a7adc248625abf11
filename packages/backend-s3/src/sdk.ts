/**
 * Loading the AWS SDK on first real use, so that a program that never touches S3 never pays for it
 * (the plugin module itself imports only types).
 */
import { once } from '@statestore/core/driver-kit';

export type S3Sdk = typeof import('@aws-sdk/client-s3');

/** `@aws-sdk/client-s3`, imported once. */
export const loadSdk = once<S3Sdk>(() => import('@aws-sdk/client-s3'));

/** The multipart upload of streams, imported on the first streamed write (reads and small writes never load it). */
export const loadMultipartUpload = once(() => import('./multipart-upload.js'));
