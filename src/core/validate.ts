/** The largest delay a Node.js timer honours; longer ones fire at once. */
export const MAX_TIMER_MS = 2_147_483_647;

/** How one option is checked, and what is expected of it. */
export interface Rule {
  readonly expected: string;
  readonly type: 'type' | 'range';
  test(value: unknown): boolean;
}

/** How each option of a config object is checked; every key the config may have is listed. */
export type Schema<T> = { readonly [K in keyof T]-?: Rule };

function rule(expected: string, type: Rule['type'], test: (value: unknown) => boolean): Rule {
  return { expected, type, test };
}

const isNumber = (value: unknown): value is number => typeof value === 'number' && !Number.isNaN(value);

/** A string that `pattern` matches. */
function matching(expected: string, pattern: RegExp): Rule {
  return rule(expected, 'type', (value) => typeof value === 'string' && pattern.test(value));
}

/** An object with a function under each of `methods`. */
function withMethods(expected: string, ...methods: readonly string[]): Rule {
  return rule(
    expected,
    'type',
    (value) =>
      typeof value === 'object' &&
      value !== null &&
      methods.every((method) => typeof (value as Record<string, unknown>)[method] === 'function'),
  );
}

/** Building blocks for {@link validateConfig} schemas. */
export const rules = {
  integer: (min: number, max = Number.MAX_SAFE_INTEGER): Rule =>
    rule(
      max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer from ${min} to ${max}`,
      'range',
      (value) => Number.isInteger(value) && (value as number) >= min && (value as number) <= max,
    ),
  number: (min: number, max = Number.POSITIVE_INFINITY): Rule =>
    rule(
      max === Number.POSITIVE_INFINITY ? `a number >= ${min}` : `a number from ${min} to ${max}`,
      'range',
      (value) => isNumber(value) && value >= min && value <= max,
    ),
  /** A timer duration in ms; `Infinity` is allowed when it means "never". */
  duration: (min = 0, options: { infinite?: boolean } = {}): Rule =>
    rule(
      `a duration in ms from ${min} to ${MAX_TIMER_MS}${options.infinite ? ' or Infinity' : ''}`,
      'range',
      (value) =>
        isNumber(value) &&
        ((value >= min && value <= MAX_TIMER_MS) ||
          (options.infinite === true && value === Number.POSITIVE_INFINITY)),
    ),
  fraction: rule('a number from 0 to 1', 'range', (value) => isNumber(value) && value >= 0 && value <= 1),
  boolean: rule('a boolean', 'type', (value) => typeof value === 'boolean'),
  string: rule('a non-empty string', 'type', (value) => typeof value === 'string' && value.length > 0),
  function: rule('a function', 'type', (value) => typeof value === 'function'),
  oneOf: (...choices: readonly unknown[]): Rule =>
    rule(`one of ${choices.map((choice) => JSON.stringify(choice)).join(', ')}`, 'range', (value) =>
      choices.includes(value),
    ),
  either: (...alternatives: readonly Rule[]): Rule =>
    rule(
      alternatives.map((alternative) => alternative.expected).join(' or '),
      alternatives.every((alternative) => alternative.type === 'range') ? 'range' : 'type',
      (value) => alternatives.some((alternative) => alternative.test(value)),
    ),
  /** An array of classes (constructors), such as error types to match. */
  classes: rule('an array of classes', 'type', (value) =>
    Array.isArray(value) ? value.every((item) => typeof item === 'function') : false,
  ),
  matching,
  withMethods,
  clock: withMethods(
    'a Clock with now(), setTimeout() and clearTimeout()',
    'now',
    'setTimeout',
    'clearTimeout',
  ),
  signal: rule('an AbortSignal', 'type', (value) => value instanceof AbortSignal),
  object: (expected: string): Rule =>
    rule(expected, 'type', (value) => typeof value === 'object' && value !== null && !Array.isArray(value)),
  any: rule('any value', 'type', () => true),
} as const;

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return 'an array';
  if (value === null || typeof value !== 'object') return String(value);
  return 'an object';
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

function commonPrefixLength(a: string, b: string): number {
  let length = 0;
  while (length < a.length && a[length] === b[length]) length++;
  return length;
}

function suggestion(key: string, known: readonly string[]): string {
  const wanted = key.toLowerCase();
  let best: { name: string; distance: number; prefix: number } | undefined;
  for (const candidate of known) {
    const name = candidate.toLowerCase();
    const distance = editDistance(wanted, name);
    const prefix = commonPrefixLength(wanted, name);
    // Ties go to the candidate that starts like the key: "maxRetry" means "maxRetries", not "onRetry".
    if (
      distance <= Math.max(3, Math.ceil(key.length / 3)) &&
      (!best || distance < best.distance || (distance === best.distance && prefix > best.prefix))
    ) {
      best = { name: candidate, distance, prefix };
    }
  }
  return best === undefined ? '' : ` (did you mean "${best.name}"?)`;
}

/**
 * Validates a user's options object against a schema. `undefined` values are skipped (the
 * default applies); an unknown key is rejected so a misspelt option never silently means
 * "use the default".
 *
 * @throws TypeError when `options` is not an object, a key is unknown or a value has the wrong type.
 * @throws RangeError when a value is of the right type but out of range.
 */
export function validateConfig<T extends object>(subject: string, options: unknown, schema: Schema<T>): void {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(`${subject} must be an options object, received ${describe(options)}`);
  }
  const known = Object.keys(schema);
  for (const key of Object.keys(options)) {
    const check = (schema as Record<string, Rule | undefined>)[key];
    if (check === undefined) {
      throw new TypeError(
        `${subject} has no option "${key}"${suggestion(key, known)}; known options: ${known.join(', ')}`,
      );
    }
    const value = (options as Record<string, unknown>)[key];
    if (value === undefined || check.test(value)) continue;
    const ErrorType = check.type === 'range' && typeof value === 'number' ? RangeError : TypeError;
    throw new ErrorType(`${subject}.${key} must be ${check.expected}, received ${describe(value)}`);
  }
}
