/**
 * kops's feature flags as `create cluster` consults them: `KOPS_FEATURE_FLAGS` is a comma-separated list
 * where `+Name` or `Name` enables a flag and `-Name` disables it (pkg/featureflag). Every flag Statestore
 * looks at is off by default, as in kops 1.37.
 */

/** The flags that change what `create cluster` accepts. */
export type KopsFeatureFlag = 'APIServerNodes' | 'ExperimentalRoles' | 'Azure' | 'Spotinst' | 'EnableSeparateConfigBase' | 'AWSSingleNodesInstanceGroup';

/** True when `KOPS_FEATURE_FLAGS` enables the flag (the last mention wins). */
export function isFeatureEnabled(env: NodeJS.ProcessEnv, flag: KopsFeatureFlag): boolean {
  let enabled = false;
  for (const raw of (env.KOPS_FEATURE_FLAGS ?? '').split(',')) {
    const item = raw.trim();
    if (item === '') continue;
    const name = item[0] === '+' || item[0] === '-' ? item.slice(1) : item;
    if (name === flag) enabled = item[0] !== '-';
  }
  return enabled;
}

/** The error kops gives when a feature-flagged option is used without its flag. */
export function featureFlagHint(flag: KopsFeatureFlag): string {
  return `set KOPS_FEATURE_FLAGS=+${flag} to enable it, as kops requires`;
}
