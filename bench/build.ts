/**
 * The bench measures the proxy as production runs it, `dist/cli.js` (what `npm start` and the
 * container image run), so it compiles the sources first: a run never measures a stale build.
 * `--src` measures `src/cli.ts` under the tsx loader instead, whose transform adds work
 * production does not do (esbuild's keepNames names every closure as it is created, a
 * `__name` call per request on the hot path).
 */
import { execFileSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

/** Which build of the proxy a bench run starts. */
export type Entry = 'src' | 'dist'

/** Compiles the sources into dist/ (tsconfig.build.json); throws with tsc's output on an error. */
export function buildDist (): void {
  const root = fileURLToPath(new URL('..', import.meta.url))
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
  try {
    execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
  } catch (err) {
    // tsc reports compile errors on stdout, which execFileSync's own message leaves out.
    const out = (err as { stdout?: Buffer }).stdout?.toString() ?? ''
    throw new Error(`npm run build failed:\n${out}`, { cause: err })
  }
}

/** The entry a `--src` flag selects, building dist/ when that is the one. */
export function entryFor (src: boolean | undefined): Entry {
  if (src === true) return 'src'
  buildDist()
  return 'dist'
}
