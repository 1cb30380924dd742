/** Fills route parameters with values of a plausible shape. */
export function concretePath(path: string, value = '00000000-0000-4000-8000-000000000000'): string {
  return path.replace(/:(\w+)/g, (_, name: string) => (/id$/i.test(name) ? value : 'x'));
}
