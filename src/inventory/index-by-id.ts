import type {Company, Inventory, Person, Site, Terminal, Zone} from '../model/types.js'

/** Lookup tables over an inventory, built once per Inventory object. */
export interface InventoryIndex {
  terminals: Map<string, Terminal>
  sites: Map<string, Site>
  zones: Map<string, Zone>
  companies: Map<string, Company>
  people: Map<string, Person>
}

const cache = new WeakMap<Inventory, InventoryIndex>()

export function indexInventory(inventory: Inventory): InventoryIndex {
  let index = cache.get(inventory)
  if (!index) {
    const byId = <T extends {id: string}>(items: T[]): Map<string, T> => new Map(items.map((i) => [i.id, i]))
    index = {
      terminals: byId(inventory.terminals),
      sites: byId(inventory.sites),
      zones: byId(inventory.zones),
      companies: byId(inventory.companies),
      people: byId(inventory.people),
    }
    cache.set(inventory, index)
  }
  return index
}
