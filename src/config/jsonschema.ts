/**
 * The JSON Schema editors use to check and complete config files, generated from the one zod
 * schema (`io: 'input'`: it describes the YAML as written, `2s`, `1MiB`, `20%`).
 * `config/shadowfig.schema.json` is its committed output; test/config/jsonschema.test.ts fails
 * when that file is stale. Regenerate with:
 *
 *   npx tsx src/config/jsonschema.ts --write
 */
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { z } from 'zod'
import { configSchema } from './schema.js'

export const SCHEMA_ID = 'https://shadowfig.dev/schema/shadowfig.schema.json'

export function configJsonSchema (): Record<string, unknown> {
  const generated = z.toJSONSchema(configSchema, { io: 'input' }) as Record<string, unknown>
  const { $schema, ...rest } = generated
  return {
    $schema,
    $id: SCHEMA_ID,
    title: 'shadowfig config',
    description: 'Config file of shadowfig, the shadow-traffic reverse proxy. Reference: docs/config.md.',
    ...rest,
  }
}

/** The file's exact committed text (stable key order, trailing newline). */
export function configJsonSchemaText (): string {
  return JSON.stringify(configJsonSchema(), null, 2) + '\n'
}

export const SCHEMA_FILE = fileURLToPath(new URL('../../config/shadowfig.schema.json', import.meta.url))

/** Write the schema file (default: the committed one); returns the path written. */
export function writeConfigJsonSchema (file: string = SCHEMA_FILE): string {
  writeFileSync(file, configJsonSchemaText())
  return file
}

/* c8 ignore next 3 */ // the command-line entry; the function it calls is tested
if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv.includes('--write')) {
  console.log(`wrote ${writeConfigJsonSchema()}`)
}
