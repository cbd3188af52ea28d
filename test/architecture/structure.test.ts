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
import { importCycles, importGraph, packageImports, sourceFiles, staticImports } from './imports.js'

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

t.test('no import cycle in src/ (static imports, type-only included)', async (t) => {
  t.same(importCycles(importGraph(ROOT, files)).map((c) => c.chain), [])
})

t.test('proxy/ imports nothing from shadow/ or split/ (they implement its hook interfaces)', async (t) => {
  const graph = importGraph(ROOT, files)
  const wrong: string[] = []
  for (const [from, tos] of graph) {
    if (!from.startsWith('src/proxy/')) continue
    for (const to of tos) if (to.startsWith('src/shadow/') || to.startsWith('src/split/')) wrong.push(`${from} → ${to}`)
  }
  t.same(wrong, [])
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
