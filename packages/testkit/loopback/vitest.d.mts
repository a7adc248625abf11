/** Types of ./vitest.mjs (see there). */
export declare const LOOPBACK_IMPORT_FLAG: string;
export declare function loopbackEnv(base?: NodeJS.ProcessEnv): { NODE_OPTIONS: string; AWS_EC2_METADATA_DISABLED: 'true' };
export declare function loopbackOnly(): { setupFiles: string[] };
export { loopbackGuardActive, refusedHosts } from './guard.mjs';
