import { type PolicyMetadata, recordClass, recordMethod, reflectMetadata } from './metadata.js';

export type AnyMethod = (this: any, ...args: any[]) => any;
export type AnyClass = abstract new (...args: any[]) => any;

/** Where a wrapped function lives, used to name what it creates (a breaker keyed `Class.method`). */
export interface CallSite {
  readonly functionName: string;
  /** `Class.method` for a method, the function's own name for a plain function. */
  qualifiedName(self: unknown): string;
}

/** Turns a method into its wrapped replacement. */
export type MethodTransform = (method: AnyMethod, site: CallSite) => AnyMethod;

/** A method decorator usable under TC39 decorators and under `experimentalDecorators`. */
export interface MethodDecorator {
  <This, A extends unknown[], R>(
    method: (this: This, ...args: A) => R,
    context: ClassMethodDecoratorContext<This, (this: This, ...args: A) => R>,
  ): (this: This, ...args: A) => R;
  (target: object, propertyKey: string | symbol, descriptor: PropertyDescriptor): void;
}

/** A class decorator usable under TC39 decorators and under `experimentalDecorators`. */
export interface ClassDecorator {
  <C extends AnyClass>(target: C, context: ClassDecoratorContext<C>): C | undefined;
  <C extends Function>(target: C): C | undefined;
}

/** Whether a decorator was called the TC39 way, `(value, context)`. */
export function isDecoratorContext(value: unknown): value is DecoratorContext {
  return typeof value === 'object' && value !== null && typeof (value as DecoratorContext).kind === 'string';
}

function methodSite(methodName: string, knownOwner: object | undefined): CallSite & { wrapper?: Function } {
  let className = knownOwner === undefined ? undefined : ownerName(knownOwner);
  const site: CallSite & { wrapper?: Function } = {
    functionName: methodName,
    qualifiedName(self) {
      // Under TC39 the decorator never sees its class: find the object that holds the
      // wrapper on the first call, so a subclass instance still names the declaring class.
      className ??= declaringClassName(self, methodName, site.wrapper);
      return `${className}.${methodName}`;
    },
  };
  return site;
}

function ownerName(owner: object): string {
  return typeof owner === 'function'
    ? owner.name
    : ((owner.constructor as Function | undefined)?.name ?? 'Object');
}

function declaringClassName(self: unknown, methodName: string, wrapper: Function | undefined): string {
  for (let holder = self as object | null; holder; holder = Object.getPrototypeOf(holder)) {
    if (Object.getOwnPropertyDescriptor(holder, methodName)?.value === wrapper) return ownerName(holder);
  }
  return self === null || self === undefined ? 'anonymous' : ownerName(self as object);
}

/** The site of a plain function wrapped by a higher-order function. */
export function functionSite(fn: Function): CallSite {
  const name = fn.name || 'anonymous';
  return { functionName: name, qualifiedName: () => name };
}

function notAMethod(decoratorName: string, what: string): TypeError {
  return new TypeError(`@${decoratorName} applies to methods only, but was applied to ${what}`);
}

/**
 * The one method-decorator adapter: detects the TC39 `(value, context)` call and the legacy
 * `(target, key, descriptor)` call, installs the transformed method and records metadata.
 */
export function decorateMethod(
  args: readonly unknown[],
  decoratorName: string,
  entry: PolicyMetadata,
  transform: MethodTransform,
): unknown {
  if (args.length === 2 && isDecoratorContext(args[1])) {
    const [method, context] = args as [AnyMethod, DecoratorContext];
    if (context.kind !== 'method') throw notAMethod(decoratorName, `a ${context.kind}`);
    const site = methodSite(String(context.name), undefined);
    const wrapper = transform(method, site);
    site.wrapper = wrapper;
    const entries = recordMethod(wrapper, method, entry);
    if (context.metadata) {
      const store = ((context.metadata as Record<string, unknown>).bulwark ??= {}) as Record<
        PropertyKey,
        unknown
      >;
      store[context.name] = entries;
    }
    return wrapper;
  }
  const [target, key, descriptor] = args as [object, string | symbol, PropertyDescriptor | undefined];
  if (args.length !== 3 || (typeof target !== 'object' && typeof target !== 'function')) {
    throw new TypeError(
      `@${decoratorName} must decorate a method, or wrap a function: ${decoratorName}(options)(fn)`,
    );
  }
  if (typeof descriptor?.value !== 'function')
    throw notAMethod(decoratorName, `the non-method ${String(key)}`);
  const method = descriptor.value as AnyMethod;
  const site = methodSite(String(key), target);
  const wrapper = transform(method, site);
  site.wrapper = wrapper;
  reflectMetadata(recordMethod(wrapper, method, entry), target, key);
  descriptor.value = wrapper;
  return descriptor;
}

/**
 * The one class-decorator adapter for both modes. `transform` may return a replacement
 * class (a subclass of the original) or nothing to keep the class as it is.
 */
export function decorateClass(
  args: readonly unknown[],
  decoratorName: string,
  entry: PolicyMetadata,
  transform: (target: AnyClass) => AnyClass | undefined = () => undefined,
): unknown {
  const [target, context] = args as [unknown, unknown];
  if (
    typeof target !== 'function' ||
    (args.length === 2 && !(isDecoratorContext(context) && context.kind === 'class'))
  ) {
    throw new TypeError(`@${decoratorName} applies to classes only`);
  }
  const result = transform(target as AnyClass) ?? (target as AnyClass);
  const entries = recordClass(result, target as Function, entry);
  if (args.length === 1) reflectMetadata(entries, result);
  return result === target ? undefined : result;
}
