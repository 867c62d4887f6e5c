import type {Hook, Interfaces} from '@oclif/core'

import {editDistance, EXIT, formatProblem, type Problem, sanitizeLine} from '../../src/index.js'
import {defaultLang} from './base.js'
import {PROBLEM_JA} from './problem-ja.js'

/**
 * A mistyped command or topic (`fleet-audit audti`, `fleet-audit inventry validate`): one line naming the nearest
 * commands, exit 2 like every other unusable input. Never a prompt: CI has no one to answer it.
 */
const hook: Hook<'command_not_found'> = async function (opts) {
  reportUnknownCommand(opts.id.split(':'), opts.config, opts.argv ?? [])
  return true
}

/** Writes the one problem line for an unknown command or topic and sets exit 2 (also used by `help WORDS`). */
export function reportUnknownCommand(typed: string[], config: Interfaces.Config, argv: string[]): void {
  const {bin} = config
  const spaced = (words: string[]) => `${bin} ${words.join(' ')}`
  const commands = config.commandIDs.filter((id) => !id.startsWith('_'))
  const topics = config.topics.map((t) => t.name)

  // The longest run of typed words that is a real command or topic: the mistake is in what follows.
  let known = 0
  for (let n = typed.length - 1; n > 0 && known === 0; n--) {
    const prefix = typed.slice(0, n).join(':')
    if (commands.includes(prefix) || topics.includes(prefix)) known = n
  }

  let problem: Problem
  if (known > 0 && commands.includes(typed.slice(0, known).join(':'))) {
    // `rules list extra`: the command exists and takes no such argument.
    problem = {
      code: 'E_FLAG',
      message: `unexpected argument "${sanitizeLine(typed.slice(known).join(' '))}" for "${spaced(typed.slice(0, known))}"`,
      hint: `see "${spaced(['help', ...typed.slice(0, known)])}"`,
    }
  } else {
    const suggestions = closestCommands(typed, [...commands, ...topics])
    const help = known > 0 ? spaced(['help', ...typed.slice(0, known)]) : `${bin} help`
    problem = {
      code: 'E_COMMAND',
      message: `"${sanitizeLine(typed.join(' '))}" is not a ${bin} command`,
      hint: `${suggestions.length > 0 ? `did you mean ${suggestions.map((s) => `"${spaced(s.split(':'))}"`).join(' or ')}? ` : ''}see "${help}"`,
    }
  }

  const i = argv.findIndex((a) => a === '--lang' || a.startsWith('--lang='))
  const lang = i === -1 ? defaultLang() : argv[i] === '--lang' ? argv[i + 1] : argv[i].slice('--lang='.length)
  process.stderr.write(`${formatProblem(problem)}${lang === 'ja' ? ` — ${PROBLEM_JA[problem.code]}` : ''}\n`)
  process.exitCode = EXIT.input
}

/**
 * The known names nearest to what was typed, each compared with as many typed words as it has (so that
 * `inventory valdate x` is near `inventory validate`); at most three, nearest and longest first.
 */
export function closestCommands(typed: string[], names: string[]): string[] {
  const scored: {name: string; d: number; words: number}[] = []
  for (const name of new Set(names)) {
    const words = name.split(':').length
    if (words > typed.length) continue
    const prefix = typed.slice(0, words).join(':')
    const d = editDistance(prefix, name)
    // An exact prefix is a topic the user got right; the suggestion must fix what follows it.
    if (d > 0 && d <= Math.max(2, Math.floor(prefix.length / 3))) scored.push({name, d, words})
  }

  scored.sort((a, b) => a.d - b.d || b.words - a.words || a.name.localeCompare(b.name))
  return scored.slice(0, 3).map((s) => s.name)
}

export default hook
