/**
 * Resolves `--backend NAME|PATH` to a PoolingBackend: a built-in name from kernels/registry.ts, or a module
 * path whose default export is a backend or a (possibly async) function returning one.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { PoolingBackend } from '../spec/contract.js';
import { BUILTIN_BACKENDS, findBuiltin } from '../kernels/registry.js';
import { BackendError } from '../spec/errors.js';
import type { Policy } from '../spec/policy.js';
import type { ReducerDeclaration } from '../spec/reducer.js';
import { holdNativeStderr } from './stderr-filter.js';

/** A backend that could not be loaded: the CLI exits 2 with this message. */
export class BackendLoadError extends Error {
  override readonly name = 'BackendLoadError';
}

export interface LoadedBackend {
  readonly backend: PoolingBackend;
  /** The argument it was loaded from (a name or a path), for replay commands. */
  readonly ref: string;
  readonly policy?: Partial<Policy>;
  /** The module's `reducers` export (SPEC.md REDUCER.MODULE): declarations of the reducers its backend implements. */
  readonly reducers?: readonly ReducerDeclaration[];
}

/** REDUCER.MODULE: `export const reducers = [...]`, each a ReducerDeclaration (checked for its functions). */
function checkReducers(value: unknown, file: string): ReducerDeclaration[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw new BackendLoadError(`${file}: the reducers export must be an array of ReducerDeclaration`);
  return value.map((d: unknown, i) => {
    const r = d as Record<string, unknown> | null;
    const missing = ['special', 'reference'].filter((k) => typeof r?.[k] !== 'function');
    const accuracy = r?.accuracy as Record<string, unknown> | undefined;
    if (typeof accuracy?.forward !== 'function') missing.push('accuracy.forward');
    if (typeof r?.name !== 'string' || !/^[A-Za-z0-9_-]+$/.test(r.name) || !Array.isArray(r.params) || typeof r.traits !== 'object' || missing.length > 0) {
      throw new BackendLoadError(`${file}: reducers[${i}] is not a ReducerDeclaration (needs name, params, traits, special, reference, accuracy.forward${missing.length ? `; missing ${missing.join(', ')}` : ''})`);
    }
    return d as ReducerDeclaration;
  });
}

function looksLikePath(ref: string): boolean {
  return ref.includes('/') || ref.includes('\\') || /\.(m?js|cjs)$/.test(ref);
}

function checkShape(candidate: unknown, ref: string): PoolingBackend {
  const b = candidate as Partial<PoolingBackend> | null;
  const missing = ['supports', 'forward', 'backward'].filter((k) => typeof (b as Record<string, unknown> | null)?.[k] !== 'function');
  if (!b || typeof b !== 'object' || typeof b.name !== 'string' || missing.length > 0) {
    throw new BackendLoadError(`${ref}: not a PoolingBackend (needs a string name and functions supports, forward, backward${missing.length ? `; missing ${missing.join(', ')}` : ''})`);
  }
  return b as PoolingBackend;
}

export async function loadBackend(ref: string): Promise<LoadedBackend> {
  const builtin = findBuiltin(ref);
  if (builtin && !looksLikePath(ref)) {
    try {
      // A platform backend's search for its device prints from native code (Dawn, the Vulkan loader): held back.
      const backend = await (builtin.platform ? holdNativeStderr(() => builtin.create()) : builtin.create());
      return { backend, ref, ...(builtin.policy ? { policy: builtin.policy } : {}) };
    } catch (e) {
      // A BackendError already names the backend ("backend NAME: …").
      throw new BackendLoadError(e instanceof BackendError ? e.message : `backend ${ref} is unavailable: ${(e as Error).message}`);
    }
  }
  if (!looksLikePath(ref)) {
    throw new BackendLoadError(`unknown backend "${ref}"; built-in: ${BUILTIN_BACKENDS.map((b) => b.name).join(', ')}; or give a path to a module`);
  }
  const file = resolve(ref);
  if (!existsSync(file)) throw new BackendLoadError(`backend module ${file} does not exist`);
  let mod: { default?: unknown; reducers?: unknown };
  try {
    mod = (await import(pathToFileURL(file).href)) as { default?: unknown; reducers?: unknown };
  } catch (e) {
    throw new BackendLoadError(`backend module ${file} failed to load: ${(e as Error).message}`);
  }
  if (mod.default === undefined) throw new BackendLoadError(`${file}: no default export (export default a PoolingBackend or a function returning one)`);
  let value: unknown = mod.default;
  try {
    if (typeof value === 'function') value = await (value as () => unknown)();
  } catch (e) {
    throw new BackendLoadError(`${file}: the default-exported factory threw: ${(e as Error).message}`);
  }
  const reducers = checkReducers(mod.reducers, file);
  return { backend: checkShape(value, file), ref, ...(reducers ? { reducers } : {}) };
}
