/**
 * Running the built `statestore` command as a user would: a child process with the user's HOME (where
 * the kops config files and Statestore's cache live), a working directory, the kops S3 variables for the
 * stock MinIO, and the loopback guard, so that a command that tries to reach anything but 127.0.0.1 fails.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { loopbackEnv } from '@statestore/testkit/loopback';
import { inject } from 'vitest';

export const CLI = path.resolve(import.meta.dirname, '../../cli/dist/bin.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface User {
  home: string;
  cwd: string;
  /** Extra variables (KOPS_STATE_STORE, …). */
  env?: NodeJS.ProcessEnv;
  /** Where S3_ENDPOINT points (default: the MinIO of the run). */
  s3Endpoint?: string;
}

/** The variables of a user of the stock MinIO: the kops S3 variables and nothing else from this process. */
export function userEnv(user: User): NodeJS.ProcessEnv {
  const minio = inject('minio');
  return {
    PATH: process.env.PATH,
    HOME: user.home,
    NO_COLOR: '1',
    ...loopbackEnv({}),
    S3_ENDPOINT: user.s3Endpoint ?? minio.endpoint,
    S3_REGION: minio.region,
    S3_ACCESS_KEY_ID: minio.accessKeyId,
    S3_SECRET_ACCESS_KEY: minio.secretAccessKey,
    ...user.env,
  };
}

export function statestore(user: User, args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: userEnv(user), cwd: user.cwd, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}
