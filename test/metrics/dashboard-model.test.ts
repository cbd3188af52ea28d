/**
 * The shipped Grafana dashboard against Grafana's own dashboard model, `@grafana/schema`
 * (no Grafana server runs here):
 *  - at compile time (`npm run typecheck`, which CI runs), the JSON as shipped must fit the
 *    `Dashboard` type with its string enums widened to strings (a JSON import types every
 *    string as `string`, which no enum accepts): every known field has the model's shape;
 *  - at run time, every enum-typed value the dashboard uses is a member of the model's enum
 *    (value mappings, variable hiding, special value matches), read from the package itself.
 */
import t from 'tap'
import { MappingType, SpecialValueMatch, VariableHide, type Dashboard } from '@grafana/schema'
import dashboardJson from '../../config/grafana/shadowfig.json' with { type: 'json' }

/** The model with its string enums as plain strings, and number enums as numbers. */
type Widen<T> = T extends string ? string
  : T extends number ? number
    : T extends boolean ? boolean
      : T extends ReadonlyArray<infer U> ? Array<Widen<U>>
        : T extends object ? { [K in keyof T]: Widen<T[K]> }
          : T

const dashboard: Widen<Dashboard> = dashboardJson

interface MappingLike { type: string, options?: Record<string, unknown> }

t.test('enum-typed values are members of Grafana\'s enums', async (t) => {
  const mappingTypes = new Set<string>(Object.values(MappingType))
  const specials = new Set<string>(Object.values(SpecialValueMatch))
  let mappings = 0
  for (const p of dashboard.panels ?? []) {
    const defaults = (p as { fieldConfig?: { defaults?: { mappings?: MappingLike[] } } }).fieldConfig?.defaults
    for (const m of defaults?.mappings ?? []) {
      mappings++
      t.ok(mappingTypes.has(m.type), `panel ${p.id}: mapping type ${m.type} is a MappingType`)
      const match = (m.options as { match?: unknown } | undefined)?.match
      if (m.type === MappingType.SpecialValue) t.ok(typeof match === 'string' && specials.has(match), `panel ${p.id}: special match ${String(match)}`)
    }
  }
  t.ok(mappings > 0, 'the readiness panel maps 0/1 to text')
  const hides = new Set<number>(Object.values(VariableHide).filter((v): v is number => typeof v === 'number'))
  for (const v of dashboard.templating?.list ?? []) {
    if (v.hide !== undefined) t.ok(hides.has(v.hide), `variable ${v.name}: hide ${v.hide} is a VariableHide`)
  }
})
