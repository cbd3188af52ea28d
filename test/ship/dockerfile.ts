/**
 * Reads the repo's Dockerfile into its stages and instructions, so ship tests run the very
 * commands the image runs (no Docker engine here; see test/ship/production-install.test.ts).
 * Handles `\` line continuations and JSON-form (exec) arguments; nothing else of the syntax.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export const REPO = fileURLToPath(new URL('../../', import.meta.url))

export interface Instruction { op: string, args: string }
export interface Stage { name: string, from: string, steps: Instruction[] }

export function readDockerfile (path = `${REPO}Dockerfile`): { args: Record<string, string>, stages: Stage[] } {
  const lines = readFileSync(path, 'utf8').replace(/\\\n/g, ' ').split('\n')
  const args: Record<string, string> = {}
  const stages: Stage[] = []
  for (const raw of lines) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    const m = /^([A-Z]+)\s+(.*)$/.exec(line)
    if (!m) throw new Error(`Dockerfile: cannot read ${JSON.stringify(line)}`)
    const [, op, rest] = m
    const text = rest.replace(/\s+/g, ' ').trim()
    if (op === 'FROM') {
      const f = /^(\S+)(?: AS (\S+))?$/i.exec(text)
      if (!f) throw new Error(`Dockerfile: bad FROM ${text}`)
      stages.push({ name: f[2] ?? String(stages.length), from: f[1].replace(/\$\{(\w+)\}/g, (_s, n: string) => args[n] ?? ''), steps: [] })
    } else if (op === 'ARG' && stages.length === 0) {
      const [name, value = ''] = text.split('=')
      args[name] = value
    } else {
      const stage = stages.at(-1)
      if (!stage) throw new Error(`Dockerfile: ${op} before FROM`)
      stage.steps.push({ op, args: text })
    }
  }
  return { args, stages }
}

/** `["a", "b"]` exec form as an array. */
export function execForm (args: string): string[] {
  const json = args.slice(args.indexOf('['))
  return JSON.parse(json) as string[]
}

/** The `npm ci …` command of a stage's RUN steps (the part before any `&&`). */
export function npmCi (stage: Stage): string[] {
  for (const s of stage.steps) {
    if (s.op !== 'RUN') continue
    const cmd = s.args.split('&&').map((c) => c.trim()).find((c) => c.startsWith('npm ci'))
    if (cmd) return cmd.split(' ')
  }
  throw new Error(`stage ${stage.name} has no npm ci`)
}
