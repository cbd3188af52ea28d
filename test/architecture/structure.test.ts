/**
 * Structure rules for src/, checked on every run:
 *  - no import cycle among its files (static imports and re-exports of relative paths,
 *    type-only ones included);
 *  - no file over 400 lines;
 *  - every runtime dependency in package.json is loaded by some file in src/.
 * The graph reading is in ./imports.ts, checked here on small inputs first.
 */
import t from 'tap'
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { importCycles, importGraph, packageImports, sourceFiles, staticImports, type ImportCycle } from './imports.js'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const MAX_LINES = 400

const files = sourceFiles(ROOT)
const text = new Map(files.map((f) => [f, readFileSync(join(ROOT, f), 'utf8')]))

t.test('the graph reader: which imports count, and cycles found', async (t) => {
  const src = [
    "import type { A } from './a.js'",
    "import { b, type B } from './b.js'",
    "export { c } from './c.js'",
    "export type { D } from '@scope/d/sub'",
    "import 'side-effect'",
    "const lazy = () => import('lazy-pkg')",
    "// import x from './commented.js'",
    "const s = \"import y from './in-a-string.js'\"",
    "import { readFileSync } from 'node:fs'",
    "import type { Only } from 'types-only'",
  ].join('\n')
  t.same(staticImports(src), ['./a.js', './b.js', './c.js', '@scope/d/sub', 'side-effect', 'node:fs', 'types-only'])
  t.same(packageImports(src).sort(), ['lazy-pkg', 'side-effect'])
  t.same(packageImports("import { x } from '@scope/pkg/deep/path'"), ['@scope/pkg'])
  const graph = new Map([['a', ['b']], ['b', ['c', 'a']], ['c', ['d']], ['d', ['c']], ['e', ['a']]])
  t.same(importCycles(graph), [{ files: ['a', 'b'], chain: 'a → b → a' }, { files: ['c', 'd'], chain: 'c → d → c' }])
  t.same(importCycles(new Map([['a', ['b']], ['b', []]])), [])
})

/**
 * proxy/ and shadow/ are being untangled on another branch; until that lands, cycles that
 * stay inside those two folders are reported as TODO instead of failing the suite. Any other
 * cycle fails. Delete this predicate (and the todo loop below) once that branch is merged.
 */
const PROXY_SHADOW = (c: ImportCycle): boolean => c.files.every((f) => f.startsWith('src/proxy/') || f.startsWith('src/shadow/'))

t.test('no import cycle in src/ (static imports, type-only included)', async (t) => {
  const cycles = importCycles(importGraph(ROOT, files))
  t.same(cycles.filter((c) => !PROXY_SHADOW(c)).map((c) => c.chain), [], 'no cycle outside proxy/ ↔ shadow/')
  for (const c of cycles.filter(PROXY_SHADOW)) {
    t.fail(`${c.chain} (all of: ${c.files.join(', ')})`, { todo: 'proxy/ ↔ shadow/ cycle, being untangled on another branch' })
  }
})

t.test(`no file in src/ over ${MAX_LINES} lines`, async (t) => {
  const lines = (s: string): number => s.split('\n').length - (s.endsWith('\n') ? 1 : 0)
  const long = files.filter((f) => lines(text.get(f)!) > MAX_LINES).map((f) => `${f}: ${lines(text.get(f)!)} lines`)
  t.same(long, [])
})

t.test('every runtime dependency is imported by src/', async (t) => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> }
  const used = new Set(files.flatMap((f) => packageImports(text.get(f)!)))
  t.same(Object.keys(pkg.dependencies ?? {}).filter((d) => !used.has(d)), [], 'move it to devDependencies or drop it')
})
