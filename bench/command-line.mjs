/** The benchmarks' command line: the arguments after the script, and `option(name, fallback)`, the value after a flag. */
export const args = process.argv.slice(2);

/** The argument after `name` (e.g. `--reps 5`), or `fallback` when the flag is absent. */
export const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i === -1 ? fallback : args[i + 1];
};
