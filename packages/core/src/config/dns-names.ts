/**
 * Kubernetes object names as kops checks them (apimachinery's IsDNS1123Subdomain): at most 253
 * characters of dot-separated lowercase labels; the messages are apimachinery's.
 */

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** A Kubernetes DNS-1123 subdomain: at most 253 characters, dot-separated lowercase labels. */
export function isDns1123Subdomain(name: string): boolean {
  return name.length > 0 && name.length <= 253 && name.split('.').every((l) => DNS_LABEL.test(l));
}

/** apimachinery's IsDNS1123Subdomain messages (empty when valid). */
export function dns1123SubdomainErrors(name: string): string[] {
  const errors: string[] = [];
  if (name.length > 253) errors.push('must be no more than 253 characters');
  if (!name.split('.').every((l) => DNS_LABEL.test(l))) {
    errors.push(
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    );
  }
  return errors;
}
