/**
 * Node module-resolution hook (module.register): the bare specifier 'electron' resolves to
 * the stand-in, for the app's own imports and nobody else's choice of path.
 * https://nodejs.org/api/module.html#resolvespecifier-context-nextresolve
 */
interface ResolveContext { conditions: string[]; parentURL?: string }
type NextResolve = (specifier: string, context: ResolveContext) => Promise<{ url: string; format?: string | null }>;

export async function resolve(specifier: string, context: ResolveContext, next: NextResolve): Promise<{ url: string; format?: string | null; shortCircuit?: boolean }> {
  if (specifier === 'electron' || specifier === 'electron/main') {
    return { url: new URL('./electron.js', import.meta.url).href, format: 'module', shortCircuit: true };
  }
  return next(specifier, context);
}
