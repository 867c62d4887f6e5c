import type {EvaluationInput, RawFinding} from '../types.js'

/**
 * Facts for a terminal the inventory does not declare: something answers as a customer-system terminal
 * that nobody declared, so nobody checked where it stands.
 */
export function undeclaredFacts(input: EvaluationInput): RawFinding[] {
  if (!input.facts) return []
  const declared = new Set(input.inventory.terminals.map((t) => t.id))
  const out: RawFinding[] = []
  for (const [id, f] of input.facts.facts) {
    if (declared.has(id)) continue
    const says = f.client ? `; its client says role=${f.client.role}` : ''
    out.push({
      terminal: id,
      location: {file: f.file, line: 1, column: 1},
      message: {
        en: `facts were collected for terminal ${id}, which the inventory does not declare${says}`,
        ja: `インベントリに登録されていない端末 ${id} の実機情報があります${f.client ? `（クライアント設定 role=${f.client.role}）` : ''}`,
      },
      expected: 'declared in the inventory',
      actual: 'undeclared',
    })
  }

  for (const [id, p] of input.facts.problems) {
    if (declared.has(id)) continue
    out.push({
      terminal: id,
      location: {file: p.file, line: 1, column: 1},
      message: {
        en: `a facts file was written for terminal ${id}, which the inventory does not declare, and it cannot be used: ${p.message}`,
        ja: `インベントリに登録されていない端末 ${id} の実機情報ファイルがあり、利用できません: ${p.message}`,
      },
      expected: 'declared in the inventory',
      actual: 'undeclared',
    })
  }

  return out
}
