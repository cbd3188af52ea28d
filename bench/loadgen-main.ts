/**
 * Process entry of the load generator: `node --import tsx bench/loadgen-main.ts '<LoadOptions>'`
 * runs one load and prints its `LoadResult` as one JSON line (a `RotationOptions` argument,
 * with `urls`: the `LoadResult` of each url, as one JSON array line). Spawned by run.ts through
 * proc.ts `runJson`, so it has an event loop (and, with --pin, a core) of its own.
 */
import { runLoad, runRotation, type LoadOptions, type RotationOptions } from './loadgen.js'

const opts = JSON.parse(process.argv[2] as string) as LoadOptions | RotationOptions
const result = 'urls' in opts ? await runRotation(opts) : await runLoad(opts)
process.stdout.write(JSON.stringify(result) + '\n')
