/**
 * How tests start child processes that run this repo's `.ts` sources: through tsx (fast to
 * start; tap's own ts-node loader took ~30 s per child on a loaded machine) and WITHOUT tap's
 * coverage hook. tap injects @tapjs/processinfo into children via NODE_OPTIONS; under tsx its
 * source maps make never-run functions look covered, so a child's coverage would inflate the
 * report. Code that runs only in children therefore counts as not covered, which is honest.
 */
export const TS_LOADER: readonly string[] = ['--import', 'tsx']

/** `env` for a child: the caller's environment, tap's coverage off (processinfo README), plus `extra`. */
export function childEnv (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, _TAPJS_PROCESSINFO_COVERAGE_: '0', ...extra }
}
