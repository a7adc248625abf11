/**
 * url/url-typos owns refusing input that looks like a store URL but is not a complete one, so that a typo
 * or an empty variable (`--state s3://$BUCKET` with BUCKET unset) is an InvalidUrl naming the problem
 * instead of a local folder named `s3:` quietly created or listed in the working directory. Text that
 * starts like a URL (`^[a-z][a-z0-9+.-]*:`) must be `scheme://` followed by what the scheme needs (core
 * checks `file://`; a missing bucket or host is the parser's error); a bare word equal to a known scheme
 * (`s3`, `memfs`) gets a did-you-mean. Every other bare path stays a local path (`./s3` is the folder).
 */
import { InvalidUrlError } from '../errors/errors.js';
import { exampleUrl, isKnownScheme } from '../plugins/known-schemes.js';

const STARTS_LIKE_A_URL = /^([A-Za-z][A-Za-z0-9+.-]*):(.*)$/s;
/** A Windows drive letter (`C:\dir`, `C:/dir`): a local path there, not a scheme. */
const WINDOWS_DRIVE = /^[A-Za-z]:[\\/]/;

/** Throws InvalidUrlError when `input` is an incomplete URL or a bare scheme name; `shown` is its printable form. */
export function assertNotUrlTypo(input: string, shown: string): void {
  const bare = input.toLowerCase();
  if (isKnownScheme(bare)) {
    throw new InvalidUrlError(
      `Invalid URL ${JSON.stringify(shown)}: that is the name of a scheme, not a store. Did you mean ${exampleUrl(bare)}? ` +
        `(An unset variable, as in ${bare}://$BUCKET, leaves just this.) For a local folder named ${input}, write ./${input}.`,
      { url: shown },
    );
  }
  const m = STARTS_LIKE_A_URL.exec(input);
  if (!m || (process.platform === 'win32' && WINDOWS_DRIVE.test(input))) return;
  const scheme = m[1]!.toLowerCase();
  const rest = m[2]!;
  if (!rest.startsWith('//')) {
    // Never echo what may be `user:password@` in a mistyped URL.
    const safe = input.replace(/^([A-Za-z][A-Za-z0-9+.-]*:)[^@]*@/, '$1***@');
    throw new InvalidUrlError(
      `Invalid URL ${JSON.stringify(safe)}: it starts with ${scheme}: but not ${scheme}:// — a store URL looks like ${exampleUrl(scheme)}. ` +
        `For a local path that contains ':', write ./${safe}.`,
      { url: safe },
    );
  }
  if (scheme === 'file' && rest.slice(2) === '') {
    throw new InvalidUrlError(`Invalid URL ${JSON.stringify(shown)}: no path after file://; expected ${exampleUrl('file')} (an unset variable, as in file://$DIR, leaves just this)`, {
      url: shown,
    });
  }
}
