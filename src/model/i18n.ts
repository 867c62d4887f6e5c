import type {Severity} from './types.js'

/** The languages of people-facing output; machine formats are always English. */
export type Lang = 'en' | 'ja'

const SEVERITY_JA: Record<Severity, string> = {critical: '重大', high: '高', medium: '中', low: '低', info: '情報'}

/**
 * Zone kinds in Japanese. `kind` is free text in the inventory (`^[a-z][a-z0-9-]*$`): the common ones are
 * translated, any other is shown as written.
 */
const ZONE_KIND_JA: Record<string, string> = {
  office: '事務室',
  counter: '窓口カウンター',
  training: '研修室',
  'disaster-reception': '災害受付',
  'server-room': 'サーバー室',
  'meeting-room': '会議室',
  reception: '受付',
  'call-center': 'コールセンター',
  warehouse: '倉庫',
  storage: '保管庫',
  'shared-space': '共用スペース',
}

/** A severity as people read it (machine formats and flags keep the English word). */
export function severityLabel(severity: Severity, lang: Lang): string {
  return lang === 'ja' ? SEVERITY_JA[severity] : severity
}

/** A zone kind as people read it. */
export function zoneKindLabel(kind: string, lang: Lang): string {
  return lang === 'ja' ? (ZONE_KIND_JA[kind] ?? kind) : kind
}
