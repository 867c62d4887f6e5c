import {existsSync} from 'node:fs'

import {ConfigError} from '../model/errors.js'
import {schemaProblems} from './schema.js'
import {readYamlFile} from './yaml.js'
import {Ajv} from 'ajv'

/** The config file looked for in the working folder; FLEET_AUDIT_CONFIG names another. */
export const CONFIG_FILE = 'fleet-audit.yaml'

/** Flag defaults a config file may set. Key material never: only paths and names. */
const CONFIG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    inventory: {type: 'string'},
    facts: {type: 'string'},
    rules: {type: 'array', items: {type: 'string'}},
    'fail-on': {enum: ['critical', 'high', 'medium', 'low', 'info', 'none']},
    format: {enum: ['table', 'json', 'junit', 'sarif', 'markdown']},
    lang: {enum: ['en', 'ja']},
    'max-file-size': {type: 'integer', minimum: 1},
    concurrency: {type: 'integer', minimum: 1, maximum: 1000},
    identity: {type: 'string', description: 'private key file path'},
    agent: {type: 'string', description: 'ssh-agent socket path'},
    'passphrase-env': {type: 'string', description: 'name of the environment variable holding the key passphrase'},
    'known-hosts': {type: 'string'},
    out: {type: 'string'},
    db: {type: 'string'},
  },
} as const

/** Flag defaults from the config file, keyed by flag name. */
export type ConfigValues = Partial<Record<keyof (typeof CONFIG_SCHEMA)['properties'], unknown>>

/**
 * Reads the config file (FLEET_AUDIT_CONFIG, else ./fleet-audit.yaml if present). Flags beat environment
 * variables, which beat this file. An invalid file is an input error (exit 2) with its position.
 */
export async function loadConfig(env: NodeJS.ProcessEnv = process.env): Promise<{file?: string; values: ConfigValues}> {
  const file = env.FLEET_AUDIT_CONFIG || (existsSync(CONFIG_FILE) ? CONFIG_FILE : undefined)
  if (!file) return {values: {}}
  const result = await readYamlFile(file, 1024 * 1024)
  if (!result.ok) throw new ConfigError(result.problems)
  const validate = new Ajv({allErrors: true, strict: false}).compile(CONFIG_SCHEMA)
  if (!validate(result.source.value)) throw new ConfigError(schemaProblems(result.source, validate.errors))
  return {file, values: result.source.value as ConfigValues}
}
