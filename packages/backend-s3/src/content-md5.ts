/**
 * DeleteObjects with Content-MD5. S3 requires an integrity header on DeleteObjects; the SDK now sends a
 * CRC32 one, which several S3-compatible services refuse ("requires one valid Content-MD5 header"). For
 * those endpoints the request carries Content-MD5 instead (the fallback the SDK's documentation describes).
 */
import { createHash } from 'node:crypto';
import type { DeleteObjectsCommand } from '@aws-sdk/client-s3';

interface BuildArgs {
  request: { headers: Record<string, string>; body?: unknown };
}

/** Makes this one command send Content-MD5 and no x-amz-checksum-* headers. */
export function useContentMd5(command: DeleteObjectsCommand): void {
  command.middlewareStack.add(
    (next) => async (args) => {
      const { request } = args as unknown as BuildArgs;
      for (const name of Object.keys(request.headers)) {
        const lower = name.toLowerCase();
        if (lower.startsWith('x-amz-checksum-') || lower.startsWith('x-amz-sdk-checksum-')) delete request.headers[name];
      }
      if (typeof request.body === 'string' || request.body instanceof Uint8Array) {
        request.headers['content-md5'] = createHash('md5').update(request.body).digest('base64');
      }
      return next(args);
    },
    { step: 'build', priority: 'low', name: 'statestoreContentMd5' },
  );
}
