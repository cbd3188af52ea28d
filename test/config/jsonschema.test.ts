import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { SCHEMA_FILE, SCHEMA_ID, configJsonSchema, configJsonSchemaText, writeConfigJsonSchema } from '../../src/config/jsonschema.js'

t.test('the committed JSON Schema is generated from the current zod schema', async (t) => {
  const committed = readFileSync(SCHEMA_FILE, 'utf8')
  t.ok(committed === configJsonSchemaText(), 'config/shadowfig.schema.json is stale: run `npx tsx src/config/jsonschema.ts --write` and commit it')
})

t.test('it describes the file as written (input units), strictly', async (t) => {
  const s = configJsonSchema() as { $id: string, required: string[], additionalProperties: boolean, properties: Record<string, unknown> }
  t.equal(s.$id, SCHEMA_ID)
  t.same(s.required, ['upstreams', 'routes'])
  t.equal(s.additionalProperties, false)
  const text = JSON.stringify(s)
  t.match(text, /"pattern":"\^\\\\d\+\(\\\\\.\\\\d\+\)\?\\\\s\*\(ms\|s\|m\|h\)\$"/, 'durations accept 2s')
  t.match(text, /"pattern":"\^\\\\d\+\(\\\\\.\\\\d\+\)\?\\\\s\*%\$"/, 'shares accept N%')
})

t.test('the --write helper writes the same text', async (t) => {
  const file = join(t.testdir({}), 'schema.json')
  t.equal(writeConfigJsonSchema(file), file)
  t.equal(readFileSync(file, 'utf8'), configJsonSchemaText())
})
