/**
 * The static import graph of src/: every `import … from` and `export … from` of a relative
 * path, type-only ones included (a type-only cycle still ties two modules' designs together,
 * and turns into a load-order cycle the day one of them starts importing a value).
 * Dynamic `import()` is left out: it does not run while a module is being evaluated.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import ts from 'typescript'

/** Files below `dir`, as paths relative to `root`, sorted. */
export function sourceFiles (root: string, dir = 'src'): string[] {
  const out: string[] = []
  const walk = (d: string): void => {
    for (const e of readdirSync(join(root, d), { withFileTypes: true })) {
      const p = join(d, e.name)
      if (e.isDirectory()) walk(p)
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(p)
    }
  }
  walk(dir)
  return out.sort()
}

/** Module specifiers of a file's static imports and re-exports. */
export function staticSpecifiers (text: string): string[] {
  const file = ts.createSourceFile('x.ts', text, ts.ScriptTarget.Latest, false)
  const out: string[] = []
  for (const s of file.statements) {
    const spec = (ts.isImportDeclaration(s) || ts.isExportDeclaration(s)) ? s.moduleSpecifier : undefined
    if (spec !== undefined && ts.isStringLiteral(spec)) out.push(spec.text)
  }
  return out
}

/** file → the files of `files` it imports (NodeNext: `./x.js` names `./x.ts`). */
export function importGraph (root: string, files: readonly string[]): Map<string, string[]> {
  const known = new Set(files)
  const graph = new Map<string, string[]>()
  for (const f of files) {
    const deps: string[] = []
    for (const spec of staticSpecifiers(readFileSync(join(root, f), 'utf8'))) {
      if (!spec.startsWith('.')) continue
      const target = relative(root, resolve(root, dirname(f), spec)).replace(/\.js$/, '.ts')
      if (known.has(target) && !deps.includes(target)) deps.push(target)
    }
    graph.set(f, deps)
  }
  return graph
}

/**
 * Strongly connected components with more than one file (Tarjan), each sorted, and one
 * cycle through each as a readable `a → b → a` chain.
 */
export function importCycles (graph: ReadonlyMap<string, readonly string[]>): string[] {
  let counter = 0
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const components: string[][] = []
  const visit = (v: string): void => {
    index.set(v, counter); low.set(v, counter); counter++
    stack.push(v); onStack.add(v)
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) { visit(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)) } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!))
    }
    if (low.get(v) === index.get(v)) {
      const comp: string[] = []
      let w: string
      do { w = stack.pop()!; onStack.delete(w); comp.push(w) } while (w !== v)
      if (comp.length > 1) components.push(comp.sort())
    }
  }
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v)
  return components.map((comp) => chain(graph, comp))
}

/** A shortest cycle from the component's first file back to itself, inside the component. */
function chain (graph: ReadonlyMap<string, readonly string[]>, comp: readonly string[]): string {
  const inside = new Set(comp)
  const start = comp[0]
  const prev = new Map<string, string>()
  const queue = [start]
  while (queue.length > 0) {
    const v = queue.shift()!
    for (const w of graph.get(v) ?? []) {
      if (!inside.has(w)) continue
      if (w === start) {
        const path = [v]
        while (path[0] !== start) path.unshift(prev.get(path[0])!)
        return [...path, start].join(' → ') + (comp.length > path.length ? ` (component of ${comp.length}: ${comp.join(', ')})` : '')
      }
      if (!prev.has(w) && w !== start) { prev.set(w, v); queue.push(w) }
    }
  }
  return comp.join(', ')
}
