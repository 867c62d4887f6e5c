import {existsSync} from 'node:fs'

import {ConfigError} from '../model/errors.js'

/** The config file looked for in the working folder; FLEET_AUDIT_CONFIG names another. */
export const CONFIG_FILE = 'fleet-audit.yaml'

/** The keys a config file may set (schemas/config.schema.json): flag defaults, key material never. */
type ConfigKey =
  | 'inventory'
  | 'facts'
  | 'rules'
  | 'fail-on'
  | 'format'
  | 'lang'
  | 'max-file-size'
  | 'concurrency'
  | 'identity'
  | 'agent'
  | 'passphrase-env'
  | 'known-hosts'
  | 'out'
  | 'db'

/** Flag defaults from the config file, keyed by flag name. */
export type ConfigValues = Partial<Record<ConfigKey, unknown>>

/**
 * Reads the config file (FLEET_AUDIT_CONFIG, else ./fleet-audit.yaml if present). Flags beat environment
 * variables, which beat this file. An invalid file is an input error (exit 2) with its position.
 */
export async function loadConfig(env: NodeJS.ProcessEnv = process.env): Promise<{file?: string; values: ConfigValues}> {
  const file = env.FLEET_AUDIT_CONFIG || (existsSync(CONFIG_FILE) ? CONFIG_FILE : undefined)
  if (!file) return {values: {}}
  // Loaded only when there is a config file: every command reads its flag defaults through here.
  const [{readYamlFile}, {schemaProblems, schemaValidator}] = await Promise.all([
    import('./yaml.js'),
    import('./schema.js'),
  ])
  const result = await readYamlFile(file, 1024 * 1024)
  if (!result.ok) throw new ConfigError(result.problems)
  const validate = schemaValidator('config.schema.json')
  if (!validate(result.source.value)) throw new ConfigError(schemaProblems(result.source, validate.errors))
  return {file, values: result.source.value as ConfigValues}
}
