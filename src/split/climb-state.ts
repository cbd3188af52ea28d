/**
 * The climb's state file (`split.stateFile`, or ROUTE.climb.json in the top-level `state.dir`): the live weight a route's climb reached, so a
 * restart resumes there instead of at the file's `weight`. One small JSON document per route,
 * written whole to a temporary file and renamed over the old one, so a crash mid-write leaves
 * the previous state, never a torn one. A missing, unreadable or foreign file reads as
 * "no state": the route then starts from its config, which is the safe direction.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'

export interface ClimbState {
  route: string
  /** The live weight when the state was written (0 after a trip or a rollback). */
  weight: number
  /** The guard had tripped, or an operator rolled the route back to 0. */
  stopped: boolean
  /** ISO time of the write, for people reading the file. */
  at: string
}

export function readClimbState (file: string, route: string): ClimbState | undefined {
  let doc: unknown
  try { doc = JSON.parse(readFileSync(file, 'utf8')) } catch { return undefined }
  const s = doc as Partial<ClimbState> | null
  if (s === null || typeof s !== 'object' || s.route !== route) return undefined
  if (typeof s.weight !== 'number' || !(s.weight >= 0 && s.weight <= 1)) return undefined
  return { route, weight: s.weight, stopped: s.stopped === true, at: String(s.at) }
}

/** Throws on an I/O failure (the caller logs it: a lost state file must not stop traffic). */
export function writeClimbState (file: string, state: ClimbState): void {
  // One writer per process; workers of a cluster write the same content, each via its own temp file.
  const tmp = `${file}.${process.pid}.tmp`
  mkdirSync(dirname(file), { recursive: true }) // a state directory named in the config need not exist yet
  writeFileSync(tmp, JSON.stringify(state) + '\n')
  renameSync(tmp, file)
}
