/**
 * Validates a shadowfig config embedded in an example (ConfigMap, compose `configs:`).
 * Interim until src/config/load.ts lands: ${VAR} / ${VAR:-default} interpolation, the one
 * schema, and route → upstream references. Throws with every problem listed.
 */
import { parse } from 'yaml'
import { configSchema, type Config } from '../../src/config/schema.js'

export async function checkConfigText (text: string, env: Record<string, string>): Promise<Config> {
  const interpolated = text.replace(/\$\{(\w+)(?::-([^}]*))?\}/g, (_m, name: string, def: string | undefined) => env[name] ?? def ?? '')
  const r = configSchema.safeParse(parse(interpolated))
  if (!r.success) throw new Error(r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n'))
  const problems: string[] = []
  for (const route of r.data.routes) {
    for (const name of [route.primary, route.shadow?.candidate, route.shadow?.secondary, route.split?.to]) {
      if (name !== undefined && !(name in r.data.upstreams)) problems.push(`route ${route.name}: unknown upstream ${name}`)
    }
  }
  if (problems.length > 0) throw new Error(problems.join('\n'))
  return r.data
}
