/**
 * The one command-line mechanism of every command (`shadowfig`, `check`, `demo`, `replay`,
 * `rollback`, and bench/run.ts): node:util parseArgs in strict mode, plus
 *  - `-h` / `--help` everywhere: the usage on stdout, exit 0. It is generated from the same
 *    option table parseArgs reads, so an option cannot exist without its line in the help;
 *  - one failure shape: whatever parseArgs refuses, and every UsageError a command throws
 *    while checking its values, ends as ONE stderr line `NAME: reason (see NAME --help)`,
 *    exit 1. Node's own messages can run to three lines and name no command; a CI log wants
 *    the command and the reason on one line, and the help is one flag away.
 */
import { parseArgs } from 'node:util'
import { UsageError } from '../errors.js'

export interface DocumentedOption {
  readonly type: 'string' | 'boolean'
  readonly short?: string
  readonly multiple?: boolean
  readonly default?: string | boolean
  /** The value's placeholder in the usage text (string options), e.g. FILE. */
  readonly value?: string
  /** One line in the usage text. */
  readonly help: string
}

export type DocumentedOptions = Readonly<Record<string, DocumentedOption>>

export interface CommandSpec<O extends DocumentedOptions, P extends boolean> {
  /** As typed, e.g. `shadowfig replay`: heads the usage and every failure line. */
  readonly name: string
  /** What follows the name on each usage line, e.g. `CAPTURE... --config FILE [options]`. */
  readonly synopsis: readonly string[]
  /** One sentence on what the command does. */
  readonly summary: string
  readonly options: O
  /** Whether the command takes operands (files, a route name); parseArgs refuses them otherwise. */
  readonly positionals: P
  /** Printed after the options: defaults, environment variables, exit codes. */
  readonly notes?: string
}

/** Where a command writes; process.stdout/stderr, or strings collected by a test. */
export interface CommandOutput {
  readonly stdout: { write (s: string): unknown }
  readonly stderr: { write (s: string): unknown }
}

const HELP = { type: 'boolean', short: 'h', help: 'print this help and exit' } as const satisfies DocumentedOption

type ParseConfig<O extends DocumentedOptions, P extends boolean> = { args: string[], options: O & { help: typeof HELP }, allowPositionals: P, strict: true }

/** parseArgs's own result type for the command's options (plus `help`): typed values, positionals. */
export type CommandLine<O extends DocumentedOptions, P extends boolean> = ReturnType<typeof parseArgs<ParseConfig<O, P>>>

/**
 * A spec with its option literals kept (`type: 'string'` rather than string), so that
 * parseArgs types each value: string, boolean, or string[] for `multiple`.
 */
export function defineCommand<const O extends DocumentedOptions, const P extends boolean> (spec: CommandSpec<O, P>): CommandSpec<O, P> {
  return spec
}

/** Parses `args`; anything parseArgs refuses is rethrown as a one-line UsageError. */
export function parseCommandLine<O extends DocumentedOptions, P extends boolean> (spec: CommandSpec<O, P>, args: string[]): CommandLine<O, P> {
  const config: ParseConfig<O, P> = { args, options: { ...spec.options, help: HELP }, allowPositionals: spec.positionals, strict: true }
  try {
    return parseArgs(config)
  } catch (err) {
    throw new UsageError(parseFailure(err))
  }
}

/**
 * The parsed command line, or the exit code once the usage (0) or the failure line (1) is
 * written. For scripts whose body is top-level code (bench/run.ts); commands use runCommand.
 */
export function readCommandLine<O extends DocumentedOptions, P extends boolean> (spec: CommandSpec<O, P>, args: string[], io: CommandOutput): CommandLine<O, P> | number {
  let line: CommandLine<O, P>
  try {
    line = parseCommandLine(spec, args)
  } catch (err) {
    return usageFailure(spec, io, err)
  }
  if ((line.values as { help?: boolean }).help === true) {
    io.stdout.write(formatUsage(spec))
    return 0
  }
  return line
}

/** Parses, answers --help, then runs `body`; a UsageError it throws ends as the one failure line. */
export async function runCommand<O extends DocumentedOptions, P extends boolean> (
  spec: CommandSpec<O, P>, args: string[], io: CommandOutput, body: (line: CommandLine<O, P>) => Promise<number>,
): Promise<number> {
  const line = readCommandLine(spec, args, io)
  if (typeof line === 'number') return line
  try {
    return await body(line)
  } catch (err) {
    return usageFailure(spec, io, err)
  }
}

export function formatUsage (spec: CommandSpec<DocumentedOptions, boolean>): string {
  const all: DocumentedOptions = { ...spec.options, help: HELP }
  const options = Object.entries(all).map(([long, o]) => ({
    flags: `${o.short !== undefined ? `-${o.short}, ` : '    '}--${long}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`,
    help: o.help,
  }))
  const width = Math.max(...options.map((o) => o.flags.length)) + 2
  return [
    'Usage:',
    ...spec.synopsis.map((s) => `  ${spec.name}${s ? ` ${s}` : ''}`),
    '',
    spec.summary,
    '',
    'Options:',
    ...options.map((o) => `  ${o.flags.padEnd(width)}${o.help}`),
    ...spec.notes !== undefined ? ['', spec.notes] : [],
  ].join('\n') + '\n'
}

function usageFailure (spec: CommandSpec<DocumentedOptions, boolean>, io: CommandOutput, err: unknown): 1 {
  if (!(err instanceof UsageError)) throw err
  io.stderr.write(`${spec.name}: ${err.message} (see ${spec.name} --help)\n`)
  return 1
}

/**
 * parseArgs's message, reworded to one line. It quotes the offending argument first
 * (`Unknown option '--foo'`, `Option '--rate <value>' argument missing`); the error code
 * says which case it is. Anything else keeps its first line.
 */
function parseFailure (err: unknown): string {
  const message = err instanceof Error ? err.message : String(err)
  // `'-c, --config <value>'` names the option as declared: keep the long name only.
  const quoted = /'([^']*)'/.exec(message)?.[1]?.replace(/ <value>$/, '').replace(/^-\w, /, '')
  if (quoted !== undefined) {
    switch ((err as { code?: unknown }).code) {
      case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': return `unknown option ${quoted}`
      case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL': return `unexpected argument ${quoted}`
      case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
        if (message.includes('does not take')) return `${quoted} takes no value`
        // "ambiguous": the next argument starts with a dash, e.g. `--config -x`.
        return message.includes('ambiguous') ? `${quoted} needs a value (one starting with - is written ${quoted}=-…)` : `${quoted} needs a value`
    }
  }
  return message.split('\n')[0]
}
