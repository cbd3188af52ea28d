/**
 * Read-only walks over the zod config schema, for error messages: which keys an object
 * accepts (for "did you mean") and the human description of a value (for "expected …").
 * Only touches `_zod.def`, zod 4's documented internal definition object.
 */
import { z } from 'zod'
import { configSchema } from './schema.js'

type Schema = z.core.$ZodType
type Def = Record<string, unknown> & { type: string }

const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional'])

function def (s: Schema): Def {
  return s._zod.def as unknown as Def
}

/** Wrapper layers of one value (outermost first): description may sit on any of them. */
function layers (s: Schema): Schema[] {
  const out = [s]
  for (;;) {
    const d = def(out[out.length - 1])
    if (WRAPPERS.has(d.type)) out.push(d.innerType as Schema)
    else if (d.type === 'pipe') out.push(d.in as Schema)
    else return out
  }
}

/** The schema of the value at `path`, or undefined when the path leaves the schema. */
export function schemaAt (path: ReadonlyArray<PropertyKey>, root: Schema = configSchema): Schema | undefined {
  let s: Schema | undefined = root
  for (const key of path) {
    if (!s) return undefined
    const ls = layers(s)
    const d = def(ls[ls.length - 1])
    if (d.type === 'object') s = (d.shape as Record<string, Schema>)[String(key)]
    else if (d.type === 'record') s = d.valueType as Schema
    else if (d.type === 'array') s = d.element as Schema
    else return undefined
  }
  return s
}

/** Keys accepted by the object at `path` (empty when it is not a fixed-shape object). */
export function knownKeys (path: ReadonlyArray<PropertyKey>): string[] {
  const s = schemaAt(path)
  if (!s) return []
  const ls = layers(s)
  const d = def(ls[ls.length - 1])
  return d.type === 'object' ? Object.keys(d.shape as object) : []
}

/**
 * The `.meta({ description })` of the value at `path`. The innermost one wins: it describes
 * the type (`Duration: 250ms, 2s, …`) where outer ones describe the key's role.
 */
export function describeAt (path: ReadonlyArray<PropertyKey>): string | undefined {
  const s = schemaAt(path)
  if (!s) return undefined
  for (const l of layers(s).reverse()) {
    const d = z.globalRegistry.get(l)?.description
    if (d) return d
  }
  return undefined
}
