import {isAbsolute, relative, sep} from 'node:path'

import type {Finding, Severity} from '../model/types.js'
import type {Reporter} from './types.js'

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'note',
}
/** GitHub code scanning ranks security alerts by this number (CVSS-like bands). */
const SECURITY_SEVERITY: Record<Severity, string> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '3.0',
  info: '0.0',
}

/** SARIF 2.1.0, so code scanning annotates the inventory line where each failing terminal is declared. */
export const sarif: Reporter = {
  name: 'sarif',
  render(result, options) {
    const index = new Map(result.rules.map((r, i) => [r.id, i]))
    const uri = (file: string) => {
      const rel = isAbsolute(file) ? relative(options.cwd, file) : file
      return rel.split(sep).join('/')
    }

    const log = {
      $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
      version: '2.1.0',
      runs: [
        {
          tool: {
            driver: {
              name: 'fleet-audit',
              version: result.tool.version,
              informationUri: 'https://github.com/fleet-audit/fleet-audit',
              rules: result.rules.map((r) => ({
                id: r.id,
                name: r.id.replace('/', '.'),
                shortDescription: {text: r.title.en},
                fullDescription: {text: r.rationale.en},
                help: {
                  text: r.remediation.en,
                  markdown: `**${r.title.en}**\n\n${r.rationale.en}\n\n*Remediation:* ${r.remediation.en}`,
                },
                defaultConfiguration: {level: LEVEL[r.severity]},
                properties: {
                  tags: ['security', r.needs],
                  severity: r.severity,
                  'security-severity': SECURITY_SEVERITY[r.severity],
                },
              })),
            },
          },
          automationDetails: {id: `fleet-audit/${result.kind}/`},
          // Terminals whose facts rules could not run are not passes: each is a notification at its declaration.
          invocations: [
            {
              executionSuccessful: true,
              toolExecutionNotifications: result.not_evaluated.map((n) => ({
                level: 'warning',
                descriptor: {id: 'not-evaluated'},
                message: {
                  text: `${n.terminal}: ${n.rules.length} facts rules not evaluated (${n.reason}): ${n.rules.join(', ')}`,
                },
                locations: [
                  {
                    physicalLocation: {
                      artifactLocation: {uri: uri(n.location.file)},
                      region: {startLine: n.location.line, startColumn: n.location.column},
                    },
                  },
                ],
                properties: {terminal: n.terminal, rules: n.rules},
              })),
            },
          ],
          results: result.findings.map((f) => toResult(f, index.get(f.rule), uri)),
        },
      ],
    }
    return `${JSON.stringify(log, null, 2)}\n`
  },
}

function toResult(f: Finding, ruleIndex: number | undefined, uri: (file: string) => string) {
  const loc = (file: string, line: number, column: number) => ({
    physicalLocation: {artifactLocation: {uri: uri(file)}, region: {startLine: line, startColumn: column}},
  })
  return {
    ruleId: f.rule,
    ...(ruleIndex === undefined ? {} : {ruleIndex}),
    level: LEVEL[f.severity],
    message: {text: `${f.terminal}: ${f.message.en}`},
    locations: [loc(f.location.file, f.location.line, f.location.column)],
    ...(f.related?.length
      ? {relatedLocations: f.related.map((r, i) => ({id: i + 1, ...loc(r.file, r.line, r.column)}))}
      : {}),
    partialFingerprints: {'terminalRule/v1': `${f.terminal}:${f.rule}`},
    // Not kind "open": SARIF would then require level "none", and code scanning would hide what could not be checked.
    properties: {
      terminal: f.terminal,
      site: f.site,
      zone: f.zone,
      severity: f.severity,
      expected: f.expected,
      actual: f.actual,
      ...(f.unevaluated ? {evaluated: false} : {}),
    },
    ...(f.waiver
      ? {
          suppressions: [
            {
              kind: 'external',
              status: 'accepted',
              justification: `waiver ${f.waiver.id} approved by ${f.waiver.approver}, until ${f.waiver.expires}`,
            },
          ],
        }
      : {}),
  }
}
