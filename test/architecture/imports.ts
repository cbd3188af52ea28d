/**
 * Reading src/ as a graph, for test/architecture/structure.test.ts:
 *  - relative imports: every `import … from` and `export … from` of a relative path, type-only
 *    ones included (a type-only cycle still ties two modules' designs together, and becomes a
 *    load-order cycle the day one side imports a value). Dynamic `import()` is left out: it
 *    does not run while a module is being evaluated.
 *  - package imports: the packages a file needs at run time (value imports, re-exports and
 *    dynamic `import('pkg')`; `import type` is erased, so it needs nothing).
 * Parsed with the TypeScript compiler, so comments and strings never count as imports.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import ts from 'typescript'

/** `.ts` files below `dir` (relative to `root`), as root-relative paths, sorted. */
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

interface Specifier { text: string, typeOnly: boolean, dynamic: boolean }

function specifiers (text: string): Specifier[] {
  const file = ts.createSourceFile('x.ts', text, ts.ScriptTarget.Latest, true)
  const out: Specifier[] = []
  for (const s of file.statements) {
    if (ts.isImportDeclaration(s) && ts.isStringLiteral(s.moduleSpecifier)) {
      out.push({ text: s.moduleSpecifier.text, typeOnly: s.importClause?.isTypeOnly === true, dynamic: false })
    } else if (ts.isExportDeclaration(s) && s.moduleSpecifier !== undefined && ts.isStringLiteral(s.moduleSpecifier)) {
      out.push({ text: s.moduleSpecifier.text, typeOnly: s.isTypeOnly, dynamic: false })
    }
  }
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [arg] = node.arguments
      if (arg !== undefined && ts.isStringLiteral(arg)) out.push({ text: arg.text, typeOnly: false, dynamic: true })
    }
    ts.forEachChild(node, visit)
  }
  visit(file)
  return out
}

/** Specifiers of a file's static imports and re-exports, type-only ones included. */
export function staticImports (text: string): string[] {
  return specifiers(text).filter((s) => !s.dynamic).map((s) => s.text)
}

/** Packages (`name` or `@scope/name`) a file loads at run time; `node:` built-ins left out. */
export function packageImports (text: string): string[] {
  const out = new Set<string>()
  for (const s of specifiers(text)) {
    if (s.typeOnly || s.text.startsWith('.') || s.text.startsWith('/') || s.text.startsWith('node:')) continue
    const parts = s.text.split('/')
    out.add(s.text.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0])
  }
  return [...out]
}

/** file → the files of `files` it imports statically (NodeNext: `./x.js` names `./x.ts`). */
export function importGraph (root: string, files: readonly string[]): Map<string, string[]> {
  const known = new Set(files)
  const graph = new Map<string, string[]>()
  for (const f of files) {
    const deps: string[] = []
    for (const spec of staticImports(readFileSync(join(root, f), 'utf8'))) {
      if (!spec.startsWith('.')) continue
      const target = relative(root, resolve(root, dirname(f), spec)).replace(/\.js$/, '.ts')
      if (known.has(target) && !deps.includes(target)) deps.push(target)
    }
    graph.set(f, deps)
  }
  return graph
}

export interface ImportCycle {
  /** Every file of the strongly connected component, sorted. */
  files: string[]
  /** One shortest cycle through its first file, `a → b → a`. */
  chain: string
}

/** The graph's import cycles: its strongly connected components of two or more files (Tarjan), by first file. */
export function importCycles (graph: ReadonlyMap<string, readonly string[]>): ImportCycle[] {
  let counter = 0
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const out: ImportCycle[] = []
  const visit = (v: string): void => {
    index.set(v, counter)
    low.set(v, counter++)
    stack.push(v)
    onStack.add(v)
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v)!, low.get(w)!))
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!))
      }
    }
    if (low.get(v) !== index.get(v)) return
    const files: string[] = []
    let w: string
    do {
      w = stack.pop()!
      onStack.delete(w)
      files.push(w)
    } while (w !== v)
    if (files.length > 1) out.push({ files: files.sort(), chain: shortestCycle(graph, files) })
  }
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v)
  return out.sort((x, y) => x.files[0] < y.files[0] ? -1 : 1)
}

/** Breadth-first from the component's first file back to it, inside the component. */
function shortestCycle (graph: ReadonlyMap<string, readonly string[]>, files: readonly string[]): string {
  const inside = new Set(files)
  const start = files[0]
  const prev = new Map<string, string>()
  const queue = [start]
  for (let i = 0; i < queue.length; i++) {
    const v = queue[i]
    for (const w of graph.get(v) ?? []) {
      if (w === start) {
        const path = [v]
        while (path[0] !== start) path.unshift(prev.get(path[0])!)
        return [...path, start].join(' → ')
      }
      if (inside.has(w) && !prev.has(w)) {
        prev.set(w, v)
        queue.push(w)
      }
    }
  }
  return files.join(', ') // unreachable for a real component: every file lies on a cycle
}
