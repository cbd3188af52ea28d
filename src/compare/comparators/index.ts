/** The built-in comparators by the name a route's `comparators:` list uses. */
import { bytesComparator } from './bytes.js'
import type { BuiltinComparator } from './context.js'
import { headersComparator } from './headers.js'
import { jsonComparator } from './json.js'
import { statusComparator } from './status.js'
import { textComparator } from './text.js'

export const BUILTINS: ReadonlyMap<string, BuiltinComparator> = new Map(
  [statusComparator, headersComparator, jsonComparator, textComparator, bytesComparator].map((c) => [c.name, c]),
)
