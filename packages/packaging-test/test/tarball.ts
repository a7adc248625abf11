/** Reading a packed tarball: its file list and one file's text (with the system `tar`). */
import { execFileSync } from 'node:child_process';

/** Paths inside the package (without the leading `package/`). */
export function tarballFiles(tarball: string): string[] {
  return execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .map((p) => p.replace(/^package\//, ''));
}

export function tarballText(tarball: string, file: string): string {
  return execFileSync('tar', ['-xOzf', tarball, `package/${file}`], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}
