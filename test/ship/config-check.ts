/**
 * Validates a shadowfig config embedded in an example (ConfigMap, compose `configs:`) with
 * the same code `shadowfig replay` loads configs with (interpolation, schema, upstream refs).
 */
import type { Config } from '../../src/config/schema.js'
import { parseReplayConfig } from '../../src/replay/config.js'

export async function checkConfigText (text: string, env: Record<string, string>): Promise<Config> {
  return parseReplayConfig(text, 'embedded', env)
}
