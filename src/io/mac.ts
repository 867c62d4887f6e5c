/** MACs compare as lowercase and colon-separated, whatever the writer (an inventory, a client config) used. */
export function normalizeMac(mac: string): string {
  return mac.toLowerCase().replaceAll('-', ':')
}
