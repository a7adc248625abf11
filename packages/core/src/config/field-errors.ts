/**
 * Validation messages in the form kops prints them (k8s.io/apimachinery field.Error):
 * `spec.subnets[0].cidr: Invalid value: "10.0.0.1/8": detail`, `…: Required value: detail`,
 * `…: Forbidden: detail`, `…: Unsupported value: "x": supported values: "a", "b"`,
 * `…: Duplicate value: "x"`, `…: Not found: "x"`.
 */

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value) ?? 'null';
}

export const fieldError = {
  invalid: (path: string, value: unknown, detail: string) => `${path}: Invalid value: ${show(value)}: ${detail}`,
  required: (path: string, detail = '') => `${path}: Required value${detail ? `: ${detail}` : ''}`,
  forbidden: (path: string, detail: string) => `${path}: Forbidden: ${detail}`,
  notSupported: (path: string, value: unknown, supported: readonly string[]) => `${path}: Unsupported value: ${show(value)}: supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}`,
  duplicate: (path: string, value: unknown) => `${path}: Duplicate value: ${show(value)}`,
  notFound: (path: string, value: unknown) => `${path}: Not found: ${show(value)}`,
};

/** kops's IsValidValue: nothing when `value` is absent or one of `valid`. */
export function checkValue(errors: string[], path: string, value: unknown, valid: readonly string[]): void {
  if (value === undefined || value === null) return;
  if (!valid.includes(value as string)) errors.push(fieldError.notSupported(path, value, valid));
}
