// The root boundary as a build rule. dist/helper.js runs as root until it has
// opened the interfaces; everything it contains must be code this project
// reviews as root code. Inputs come from esbuild's metafile; Node's built-in
// modules are not inputs (they are left as require() calls).
export const HELPER_ALLOWED_DIRS = ['src/helper/', 'src/core/', 'src/protocol/'];

/** Returns the metafile inputs that are not allowed in the helper bundle (empty when it is clean). */
export function checkHelperInputs(metafile) {
  return Object.keys(metafile.inputs).filter((input) => !HELPER_ALLOWED_DIRS.some((dir) => input.startsWith(dir)));
}
