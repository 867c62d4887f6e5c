import {type AuditResult, isFailing} from '../model/result.js'
import type {Finding} from '../model/types.js'
import {sanitize} from '../io/text.js'
import type {Reporter} from './types.js'

/**
 * JUnit XML for CI test views: one test suite per site, one test case per terminal and rule.
 * A finding at or above --fail-on is a failure; a waived one is skipped; below the threshold it passes with
 * the finding in system-out. Each finding has its own test case, so failures plus errors equal the failing findings.
 * What was not evaluated never passes: a facts rule that could not run for a terminal (its facts missing, invalid or
 * failed) is skipped with the reason, and a rule whose condition could not be evaluated is an error (at or above
 * --fail-on) or skipped (below), with the reason.
 */
export const junit: Reporter = {
  name: 'junit',
  render(result) {
    const byPair = new Map<string, Finding[]>()
    for (const f of result.findings) {
      const key = pairKey(f.terminal, f.rule)
      byPair.set(key, [...(byPair.get(key) ?? []), f])
    }

    const suites = new Map<string, string[]>()
    const notEvaluated = new Map<string, string>()
    for (const n of result.not_evaluated)
      for (const rule of n.rules) notEvaluated.set(pairKey(n.terminal, rule), n.reason)
    const counts = new Map<string, {tests: number; failures: number; errors: number; skipped: number}>()
    const add = (suite: string, c: Case) => {
      suites.set(suite, [...(suites.get(suite) ?? []), c.xml])
      const n = counts.get(suite) ?? {tests: 0, failures: 0, errors: 0, skipped: 0}
      n.tests++
      if (c.kind !== 'passed') n[c.kind]++
      counts.set(suite, n)
    }

    const declared = new Set<string>()
    for (const t of result.terminals) {
      declared.add(t.id)
      for (const rule of result.rules) {
        const findings = byPair.get(pairKey(t.id, rule.id))
        if (!findings) {
          const reason = notEvaluated.get(pairKey(t.id, rule.id))
          if (reason !== undefined)
            add(t.site, {
              kind: 'skipped',
              xml: testcase(t.id, rule.id, `      <skipped message="${attr(`not evaluated: ${reason}`)}"/>`),
            })
          else if (appliesTo(rule.id, t.status)) add(t.site, {kind: 'passed', xml: testcase(t.id, rule.id)})
          continue
        }

        findings.forEach((f, i) => add(t.site, findingCase(f, i, result)))
      }
    }

    for (const f of result.findings) {
      if (!declared.has(f.terminal)) add('(undeclared)', findingCase(f, 0, result))
    }

    const total = {tests: 0, failures: 0, errors: 0, skipped: 0}
    const body: string[] = []
    for (const [suite, cases] of [...suites].sort(([a], [b]) => a.localeCompare(b))) {
      const c = counts.get(suite)!
      total.tests += c.tests
      total.failures += c.failures
      total.errors += c.errors
      total.skipped += c.skipped
      body.push(
        `  <testsuite name="${attr(suite)}" tests="${c.tests}" failures="${c.failures}" errors="${c.errors}" skipped="${c.skipped}" timestamp="${attr(result.now)}">`,
        ...cases,
        '  </testsuite>',
      )
    }

    return [
      '<?xml version="1.0" encoding="UTF-8"?>',
      `<testsuites name="fleet-audit ${result.kind}" tests="${total.tests}" failures="${total.failures}" errors="${total.errors}" skipped="${total.skipped}">`,
      ...body,
      '</testsuites>',
      '',
    ].join('\n')
  },
}

/**
 * Which passing test cases to list: removed terminals only for the rule written for them, and never the
 * undeclared-terminal rule for a declared one.
 */
function appliesTo(rule: string, status: string): boolean {
  if (rule === 'collect/undeclared-terminal') return false
  return status !== 'removed' || rule === 'collect/removed-still-answers'
}

function pairKey(terminal: string, rule: string): string {
  return `${terminal}\u0000${rule}`
}

function testcase(terminal: string, rule: string, inner = ''): string {
  const open = `    <testcase classname="${attr(terminal)}" name="${attr(rule)}"`
  return inner ? `${open}>\n${inner}\n    </testcase>` : `${open}/>`
}

/** One test case and how it counts. */
interface Case {
  kind: 'passed' | 'failures' | 'errors' | 'skipped'
  xml: string
}

function findingCase(f: Finding, index: number, result: AuditResult): Case {
  const name = index === 0 ? f.rule : `${f.rule}#${index + 1}`
  const where = `${f.location.file}:${f.location.line}:${f.location.column}`
  const detail = text(
    [
      `${f.severity}: ${f.message.en}`,
      f.expected === undefined ? '' : `expected: ${f.expected}`,
      f.actual === undefined ? '' : `actual: ${f.actual}`,
      `at ${where}`,
    ]
      .filter(Boolean)
      .join('\n'),
  )
  if (f.waiver)
    return {
      kind: 'skipped',
      xml: testcase(
        f.terminal,
        name,
        `      <skipped message="${attr(`waived by ${f.waiver.id} until ${f.waiver.expires}`)}"/>`,
      ),
    }
  if (f.unevaluated && isFailing(f, result.fail_on)) {
    return {
      kind: 'errors',
      xml: testcase(
        f.terminal,
        name,
        `      <error type="not-evaluated" message="${attr(f.message.en)}">${detail}</error>`,
      ),
    }
  }

  if (f.unevaluated)
    return {kind: 'skipped', xml: testcase(f.terminal, name, `      <skipped message="${attr(f.message.en)}"/>`)}
  if (isFailing(f, result.fail_on)) {
    return {
      kind: 'failures',
      xml: testcase(
        f.terminal,
        name,
        `      <failure type="${attr(f.severity)}" message="${attr(f.message.en)}">${detail}</failure>`,
      ),
    }
  }

  return {kind: 'passed', xml: testcase(f.terminal, name, `      <system-out>${detail}</system-out>`)}
}

/** XML 1.0 cannot carry most control characters even escaped: make them visible first. */
function text(s: string): string {
  return sanitize(s).replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')
}

function attr(s: string): string {
  return text(s).replaceAll('"', '&quot;').replaceAll('\n', '&#10;')
}
