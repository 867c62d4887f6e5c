import type {Inventory} from '../model/types.js'
import {loadInventory, type LoadInventoryOptions} from '../inventory/load.js'
import {PROBE_CATALOG} from '../facts/probes/index.js'

/** The inventory as every command reads it: its probe profile references checked against the probe registry. */
export function loadDeclared(path: string, options: LoadInventoryOptions = {}): Promise<Inventory> {
  return loadInventory(path, {...options, profiles: PROBE_CATALOG})
}
