/**
 * backend/layer owns how core puts a layer around a driver (OpenDAL's layers): a Proxy that answers the
 * layer's own methods and passes every other property through to the driver unchanged, and the way back
 * from any stack of layers to the driver itself.
 */
import type { Backend } from './backend.js';

const INNER = Symbol.for('statestore.layer.inner');

/** The driver behind a backend that may be wrapped in any number of core's layers. */
export function unwrapBackend(backend: Backend): Backend {
  let driver = backend;
  for (let inner = (driver as Backend & { [INNER]?: Backend })[INNER]; inner; inner = (driver as Backend & { [INNER]?: Backend })[INNER]) driver = inner;
  return driver;
}

/** `inner` with the methods in `own` replaced; every other property is `inner`'s (methods bound to it). */
export function layerOver(inner: Backend, own: Partial<Backend>): Backend {
  return new Proxy(inner, {
    get(target, property) {
      if (property === INNER) return target;
      if (Object.hasOwn(own, property)) return own[property as keyof Backend];
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
