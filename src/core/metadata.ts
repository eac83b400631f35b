/** One policy applied to a method or a class, as recorded by its decorator. */
export interface PolicyMetadata {
  /** The decorator's policy, e.g. `'circuitBreaker'`, `'retry'`, `'supervised'`. */
  readonly policy: string;
  /** The options the decorator was given. */
  readonly options: unknown;
}

/** What {@link getResilienceMetadata} reports for a class. */
export interface ResilienceMetadata {
  /** Class-level decorators, outermost first. */
  readonly class: readonly PolicyMetadata[];
  /** Decorated methods by name, each with its policies outermost first. */
  readonly methods: Readonly<Record<string, readonly PolicyMetadata[]>>;
}

/** The reflect-metadata key under which legacy decorators also record their policies. */
export const REFLECT_METADATA_KEY = 'bulwark:policies';

// Keyed by the installed method (the wrapper), so lookups need neither Symbol.metadata nor
// a class decorator: a TC39 method decorator never sees its class.
const methodRecords = new WeakMap<Function, readonly PolicyMetadata[]>();
const classRecords = new WeakMap<Function, readonly PolicyMetadata[]>();

export function recordMethod(
  wrapper: Function,
  inner: Function,
  entry: PolicyMetadata,
): readonly PolicyMetadata[] {
  const entries = Object.freeze([entry, ...(methodRecords.get(inner) ?? [])]);
  methodRecords.set(wrapper, entries);
  return entries;
}

export function recordClass(
  target: Function,
  original: Function,
  entry: PolicyMetadata,
): readonly PolicyMetadata[] {
  const entries = Object.freeze([entry, ...(classRecords.get(original) ?? [])]);
  classRecords.set(target, entries);
  return entries;
}

/** Stores metadata through reflect-metadata when the application has loaded that polyfill. */
export function reflectMetadata(
  entries: readonly PolicyMetadata[],
  target: object,
  key?: string | symbol,
): void {
  const reflect = Reflect as unknown as {
    defineMetadata?: (key: string, value: unknown, target: object, property?: string | symbol) => void;
  };
  if (typeof reflect.defineMetadata !== 'function') return;
  if (key === undefined) reflect.defineMetadata(REFLECT_METADATA_KEY, entries, target);
  else reflect.defineMetadata(REFLECT_METADATA_KEY, entries, target, key);
}

/**
 * Reports the bulwark decorators applied to a class (pass the class, an instance or its
 * prototype), including inherited methods, in both decorator modes.
 *
 * @example
 * getResilienceMetadata(PaymentService).methods.charge; // [{ policy: 'circuitBreaker', options: { name: 'payments' } }]
 */
export function getResilienceMetadata(target: object): ResilienceMetadata {
  const ctor = typeof target === 'function' ? target : (target.constructor as Function | undefined);
  const methods: Record<string, readonly PolicyMetadata[]> = {};
  const holders: object[] = [];
  for (let proto: object | null = ctor?.prototype ?? target; proto && proto !== Object.prototype; ) {
    holders.push(proto);
    proto = Object.getPrototypeOf(proto);
  }
  for (let owner: Function | null = ctor ?? null; owner && owner !== Function.prototype; ) {
    holders.push(owner);
    owner = Object.getPrototypeOf(owner) as Function | null;
  }
  for (const holder of holders) {
    for (const key of Object.getOwnPropertyNames(holder)) {
      if (key in methods) continue;
      const value = Object.getOwnPropertyDescriptor(holder, key)?.value;
      const entries = typeof value === 'function' ? methodRecords.get(value) : undefined;
      if (entries !== undefined) methods[key] = entries;
    }
  }
  let classEntries: readonly PolicyMetadata[] = [];
  for (let owner: Function | null = ctor ?? null; owner && owner !== Function.prototype; ) {
    classEntries = classRecords.get(owner) ?? [];
    if (classEntries.length > 0) break;
    owner = Object.getPrototypeOf(owner) as Function | null;
  }
  return { class: classEntries, methods };
}
