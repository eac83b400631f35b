import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  AdvancedCircuitBreaker,
  BaseCircuitBreaker,
  CircuitBreaker,
  type CircuitBreakerConfig,
  CircuitBreakerOpen,
  CircuitBreakerOpenError,
  CircuitState,
  type CircuitStateChange,
  FailureType,
  isCircuitBreakerOpenError,
} from '../../src/circuit-breaker/index.js';
import { BulwarkError, runSync } from '../../src/core/index.js';
import { VirtualClock } from '../../src/testing/index.js';

class IgnoredError extends Error {}
class NetworkError extends Error {}

const boom = new Error('boom');

function setup(config: CircuitBreakerConfig = {}) {
  const clock = new VirtualClock();
  const breaker = new CircuitBreaker('dep', { clock, ...config });
  const changes: CircuitStateChange[] = [];
  breaker.onStateChange((change) => changes.push(change));
  return { clock, breaker, changes };
}

/** Records outcomes through the manual API: `S` success, `E` failure, `I` ignored, `s`/`e` slow. */
function feed(breaker: CircuitBreaker, outcomes: string, slowMs = 5000): void {
  for (const outcome of outcomes) {
    if (outcome === 'S') breaker.recordSuccess();
    else if (outcome === 'E') breaker.recordFailure(boom);
    else if (outcome === 'I') breaker.recordFailure(new IgnoredError());
    else if (outcome === 's') breaker.recordSuccess(slowMs);
    else if (outcome === 'e') breaker.recordFailure(boom, slowMs);
  }
}

const swallow = () => undefined;

afterEach(() => {
  vi.restoreAllMocks();
});

describe('CircuitState and FailureType', () => {
  it('are frozen objects of string values', () => {
    expect(CircuitState).toEqual({
      CLOSED: 'closed',
      OPEN: 'open',
      HALF_OPEN: 'half_open',
      FORCED_OPEN: 'forced_open',
      DISABLED: 'disabled',
      METRICS_ONLY: 'metrics_only',
    });
    expect(Object.isFrozen(CircuitState)).toBe(true);
    expect(FailureType).toEqual({
      TIMEOUT: 'timeout',
      ERROR: 'error',
      REJECTION: 'rejection',
      RESOURCE_EXHAUSTED: 'resource_exhausted',
      SLOW_CALL: 'slow_call',
      ANOMALY_DETECTED: 'anomaly_detected',
      CONSENSUS_FAILURE: 'consensus_failure',
    });
    expect(Object.isFrozen(FailureType)).toBe(true);
  });
});

describe('CircuitBreaker', () => {
  it('is also exported as BaseCircuitBreaker and AdvancedCircuitBreaker', () => {
    expect(BaseCircuitBreaker).toBe(CircuitBreaker);
    expect(AdvancedCircuitBreaker).toBe(CircuitBreaker);
    expect(new BaseCircuitBreaker('x').name).toBe('x');
  });

  it('starts closed and runs calls', async () => {
    const { breaker } = setup();
    expect(breaker.state).toBe('closed');
    await expect(breaker.execute(async () => 42)).resolves.toBe(42);
    await expect(breaker.call(async (a: number, b: number) => a + b, 2, 3)).resolves.toBe(5);
    expect(breaker.getMetrics().calls).toBe(2);
  });

  describe('consecutive failures', () => {
    it('opens after failureThreshold consecutive failures and not before', async () => {
      const { breaker, changes } = setup();
      for (let i = 0; i < 4; i++) await breaker.execute(() => Promise.reject(boom)).catch(swallow);
      expect(breaker.state).toBe('closed');
      expect(breaker.failures).toBe(4);
      await breaker.execute(() => Promise.reject(boom)).catch(swallow);
      expect(breaker.state).toBe('open');
      expect(changes).toEqual([{ name: 'dep', from: 'closed', to: 'open', reason: 'failure_threshold' }]);
    });

    it('starts counting again after a success', () => {
      const { breaker } = setup({ failureThreshold: 3 });
      feed(breaker, 'EESEE');
      expect(breaker.failures).toBe(2);
      expect(breaker.state).toBe('closed');
      feed(breaker, 'E');
      expect(breaker.state).toBe('open');
    });

    it('counts a synchronous throw as a failure', async () => {
      const { breaker } = setup({ failureThreshold: 1 });
      await expect(
        breaker.execute(() => {
          throw boom;
        }),
      ).rejects.toBe(boom);
      expect(breaker.state).toBe('open');
    });
  });

  describe('failure rate', () => {
    const rates = { failureThreshold: 100, minimumNumberOfCalls: 10 };

    it('opens when the rate reaches the threshold (>=) once minimumNumberOfCalls is reached', () => {
      const { breaker, changes } = setup(rates);
      feed(breaker, 'SSSSSEEEE');
      expect(breaker.state).toBe('closed');
      feed(breaker, 'E');
      expect(breaker.state).toBe('open');
      expect(changes.at(-1)?.reason).toBe('failure_rate');
      expect(breaker.getMetrics().failureRate).toBe(0.5);
    });

    it('stays closed just below the threshold', () => {
      const { breaker } = setup(rates);
      feed(breaker, 'SSSSSSEEEE');
      expect(breaker.state).toBe('closed');
      expect(breaker.getMetrics().failureRate).toBe(0.4);
    });

    it('does not evaluate rates below minimumNumberOfCalls', () => {
      const { breaker } = setup(rates);
      feed(breaker, 'EEEEEEEEE');
      expect(breaker.state).toBe('closed');
    });

    it('compares exactly at a decimal threshold', () => {
      const { breaker } = setup({ ...rates, failureRateThreshold: 0.3 });
      feed(breaker, 'SSSSSSSEE');
      feed(breaker, 'E');
      expect(breaker.state).toBe('open');
    });

    it('can open on a success once the minimum is reached', () => {
      const { breaker } = setup({ ...rates, minimumNumberOfCalls: 5 });
      feed(breaker, 'EEES');
      expect(breaker.state).toBe('closed');
      feed(breaker, 'S');
      expect(breaker.state).toBe('open');
    });
  });

  describe('slow calls', () => {
    it('counts a call as slow only when strictly longer than slowCallDurationMs', () => {
      const { breaker } = setup({ slowCallDurationMs: 100 });
      breaker.recordSuccess(100);
      expect(breaker.getMetrics().slowCalls).toBe(0);
      breaker.recordSuccess(101);
      expect(breaker.getMetrics().slowCalls).toBe(1);
    });

    it('opens when the slow-call rate reaches its threshold, independently of failures', () => {
      const { breaker, changes } = setup({ slowCallRateThreshold: 0.6, minimumNumberOfCalls: 5 });
      feed(breaker, 'esESs');
      expect(breaker.state).toBe('open');
      expect(changes.at(-1)?.reason).toBe('slow_call_rate');
      expect(breaker.getMetrics().slowCallRate).toBe(0.6);
    });

    it('measures durations of real calls on the clock', async () => {
      const { breaker, clock } = setup({ slowCallDurationMs: 1000 });
      const call = (ms: number) =>
        breaker.execute(() => new Promise<void>((resolve) => clock.setTimeout(resolve, ms)));
      const exact = call(1000);
      await clock.advance(1000);
      await exact;
      const slow = call(1001);
      await clock.advance(1001);
      await slow;
      expect(breaker.getMetrics()).toMatchObject({ calls: 2, slowCalls: 1 });
    });

    it('with slowCallDurationMs Infinity, reads no clock on the closed path', async () => {
      const clock = new VirtualClock();
      const now = vi.spyOn(clock, 'now');
      const breaker = new CircuitBreaker('lean', { clock, slowCallDurationMs: Number.POSITIVE_INFINITY });
      await breaker.execute(async () => 1);
      await breaker.execute(() => Promise.reject(boom)).catch(swallow);
      breaker[runSync](() => 1);
      expect(now).not.toHaveBeenCalled();
      expect(breaker.getMetrics().calls).toBe(3);
    });
  });

  describe('sliding windows', () => {
    it('evicts the oldest outcome from a full count window', () => {
      const { breaker } = setup({ failureThreshold: 100, slidingWindow: { type: 'count', size: 5 } });
      feed(breaker, 'SSSSSEE');
      expect(breaker.getMetrics().failureRate).toBe(0.4);
      expect(breaker.state).toBe('closed');
      feed(breaker, 'E');
      expect(breaker.state).toBe('open');
      expect(breaker.getMetrics().failureRate).toBe(0.6);
    });

    it('caps minimumNumberOfCalls at the size of a count window', () => {
      const { breaker } = setup({ minimumNumberOfCalls: 50, slidingWindow: { type: 'count', size: 4 } });
      feed(breaker, 'SSEE');
      expect(breaker.state).toBe('open');
    });

    it('lets outcomes expire from a time window', async () => {
      const { breaker, clock } = setup({
        failureThreshold: 100,
        minimumNumberOfCalls: 3,
        slidingWindow: { type: 'time', size: 1000 },
      });
      feed(breaker, 'EE');
      await clock.advance(999);
      expect(breaker.getStatus().window.calls).toBe(2);
      await clock.advance(1);
      expect(breaker.getStatus().window.calls).toBe(0);
      feed(breaker, 'E');
      expect(breaker.state).toBe('closed');
    });

    it('opens on a time window that holds enough calls', async () => {
      const { breaker, clock } = setup({
        failureThreshold: 100,
        minimumNumberOfCalls: 3,
        slidingWindow: { type: 'time', size: 1000 },
      });
      feed(breaker, 'EE');
      await clock.advance(999);
      feed(breaker, 'E');
      expect(breaker.state).toBe('open');
    });

    it('never grows: a window of 5 holds 5 calls after 1,000', () => {
      const { breaker } = setup({ failureThreshold: 10_000, slidingWindow: { type: 'count', size: 5 } });
      for (let i = 0; i < 1000; i++) breaker.recordSuccess();
      expect(breaker.getStatus().window.calls).toBe(5);
      expect(breaker.getMetrics().calls).toBe(1000);
    });
  });

  describe('open', () => {
    it('rejects calls without running them, with retryAfterMs, counted apart from calls', async () => {
      const { breaker, clock } = setup({ failureThreshold: 1, cooldownMs: 1000 });
      feed(breaker, 'E');
      await clock.advance(400);
      const fn = vi.fn(async () => 1);
      const error = await breaker.execute(fn).catch((caught: unknown) => caught);
      expect(fn).not.toHaveBeenCalled();
      expect(error).toBeInstanceOf(CircuitBreakerOpenError);
      expect(error).toMatchObject({ code: 'CIRCUIT_OPEN', breakerName: 'dep', retryAfterMs: 600 });
      expect(breaker.getMetrics()).toMatchObject({ calls: 1, rejections: 1, failures: 1 });
    });

    it('half-opens exactly when the cooldown has elapsed, lazily and without a timer', async () => {
      const { breaker, clock, changes } = setup({ failureThreshold: 1, cooldownMs: 1000 });
      feed(breaker, 'E');
      expect(clock.pendingTimers).toBe(0);
      expect(breaker.getMetrics()).toMatchObject({ state: 'open', openedAt: 0, nextAttemptAt: 1000 });
      await clock.advance(999);
      expect(breaker.state).toBe('open');
      expect(breaker.canExecute()).toBe(false);
      await clock.advance(1);
      expect(changes).toHaveLength(1);
      expect(breaker.state).toBe('half_open');
      expect(changes.at(-1)).toEqual({
        name: 'dep',
        from: 'open',
        to: 'half_open',
        reason: 'cooldown_elapsed',
      });
    });

    it('lets the first call after the cooldown through as a trial', async () => {
      const { breaker, clock } = setup({ failureThreshold: 1, cooldownMs: 1000, successThreshold: 1 });
      feed(breaker, 'E');
      await clock.advance(1000);
      await expect(breaker.execute(async () => 'recovered')).resolves.toBe('recovered');
      expect(breaker.state).toBe('closed');
    });
  });

  describe('half-open', () => {
    async function halfOpen(config: CircuitBreakerConfig = {}) {
      const context = setup({ failureThreshold: 1, cooldownMs: 1000, ...config });
      feed(context.breaker, 'E');
      await context.clock.advance(1000);
      expect(context.breaker.state).toBe('half_open');
      return context;
    }

    it('admits at most halfOpenMaxRequests trial calls, and a reported call gives its slot back', async () => {
      const { breaker } = await halfOpen({ halfOpenMaxRequests: 2, successThreshold: 5 });
      expect(breaker.canExecute()).toBe(true);
      expect(breaker.canProceed()).toBe(true);
      expect(breaker.canExecute()).toBe(false);
      expect(breaker.getMetrics().rejections).toBe(1);
      breaker.recordSuccess();
      expect(breaker.canExecute()).toBe(true);
    });

    it('rejects calls beyond the running trials with CircuitBreakerOpenError', async () => {
      const { breaker, clock } = await halfOpen({ halfOpenMaxRequests: 1, successThreshold: 2 });
      let finish: (value: string) => void = () => {};
      const trial = breaker.execute(() => new Promise<string>((resolve) => (finish = resolve)));
      const refused = await breaker.execute(async () => 'x').catch((error: unknown) => error);
      expect(isCircuitBreakerOpenError(refused)).toBe(true);
      expect((refused as CircuitBreakerOpenError).retryAfterMs).toBeGreaterThan(0);
      finish('done');
      await expect(trial).resolves.toBe('done');
      await clock.advance(0);
      await expect(breaker.execute(async () => 'second')).resolves.toBe('second');
      expect(breaker.state).toBe('closed');
    });

    it('closes after successThreshold successes', async () => {
      const { breaker, changes } = await halfOpen();
      feed(breaker, 'SS');
      expect(breaker.state).toBe('half_open');
      feed(breaker, 'S');
      expect(breaker.state).toBe('closed');
      expect(changes.at(-1)?.reason).toBe('trial_succeeded');
      expect(breaker.getMetrics()).toMatchObject({ failureRate: 0, openedAt: undefined });
    });

    it('reopens on any failure, and counts the trip', async () => {
      const { breaker, changes, clock } = await halfOpen();
      feed(breaker, 'SE');
      expect(breaker.state).toBe('open');
      expect(changes.at(-1)).toEqual({ name: 'dep', from: 'half_open', to: 'open', reason: 'trial_failed' });
      expect(breaker.getMetrics()).toMatchObject({ trips: 2, nextAttemptAt: clock.now() + 1000 });
    });

    it('reopens on a slow trial call', async () => {
      const { breaker } = await halfOpen({ slowCallDurationMs: 100 });
      breaker.recordSuccess(101);
      expect(breaker.state).toBe('open');
    });

    it('frees a slot held longer than maxWaitInHalfOpenMs, and stays half-open', async () => {
      const { breaker, clock } = await halfOpen({ halfOpenMaxRequests: 1, maxWaitInHalfOpenMs: 500 });
      const stuck = breaker.execute(() => new Promise<never>(() => {}));
      void stuck;
      await clock.advance(500);
      expect(breaker.canExecute()).toBe(false);
      await clock.advance(1);
      expect(breaker.canExecute()).toBe(true);
      expect(breaker.state).toBe('half_open');
    });

    it('gives the slot back for an ignored error, which counts as nothing', async () => {
      const { breaker } = await halfOpen({ halfOpenMaxRequests: 1, ignoreErrors: [IgnoredError] });
      const before = breaker.getMetrics().calls;
      await breaker
        .execute(() => Promise.reject(new IgnoredError()))
        .catch((error: unknown) => expect(error).toBeInstanceOf(IgnoredError));
      expect(breaker.state).toBe('half_open');
      expect(breaker.getMetrics().calls).toBe(before);
      expect(breaker.getStatus().ignored).toBe(1);
      expect(breaker.canExecute()).toBe(true);
    });
  });

  describe('late results', () => {
    it('counts a result that arrives after the breaker opened, without changing state', async () => {
      const { breaker, changes } = setup({ failureThreshold: 2 });
      let finish: (error: Error) => void = () => {};
      const slow = breaker.execute(() => new Promise<never>((_, reject) => (finish = reject)));
      feed(breaker, 'EE');
      expect(breaker.state).toBe('open');
      const { nextAttemptAt } = breaker.getMetrics();
      finish(boom);
      await slow.catch(swallow);
      expect(breaker.getMetrics()).toMatchObject({
        calls: 3,
        failures: 3,
        state: 'open',
        nextAttemptAt,
        trips: 1,
      });
      expect(changes).toHaveLength(1);
    });

    it('does not let a closed-era success count as a trial success', async () => {
      const { breaker, clock } = setup({ failureThreshold: 1, cooldownMs: 100, successThreshold: 1 });
      let finish: (value: number) => void = () => {};
      const slow = breaker.execute(() => new Promise<number>((resolve) => (finish = resolve)));
      feed(breaker, 'E');
      await clock.advance(100);
      expect(breaker.state).toBe('half_open');
      finish(1);
      await slow;
      expect(breaker.state).toBe('half_open');
      expect(breaker.getMetrics().calls).toBe(2);
    });
  });

  describe('manual control', () => {
    it('forceOpen rejects every call, with no timed exit, until forceClose', async () => {
      const { breaker, clock, changes } = setup({ cooldownMs: 10 });
      breaker.forceOpen();
      breaker.forceOpen();
      await clock.advance(1000);
      expect(breaker.state).toBe('forced_open');
      const error = await breaker.execute(async () => 1).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: 'CIRCUIT_OPEN', retryAfterMs: Number.POSITIVE_INFINITY });
      breaker.forceClose();
      expect(breaker.state).toBe('closed');
      expect(changes.map((change) => change.reason)).toEqual(['forced_open', 'forced_close']);
    });

    it('fires no event for a same-state transition', () => {
      const { breaker, changes } = setup();
      breaker.forceClose();
      breaker.reset();
      breaker.disable();
      breaker.disable();
      breaker.metricsOnly();
      breaker.metricsOnly();
      breaker.forceClose();
      breaker.forceClose();
      expect(changes.map(({ from, to }) => `${from}>${to}`)).toEqual([
        'closed>disabled',
        'disabled>metrics_only',
        'metrics_only>closed',
      ]);
    });

    it('reset closes the breaker and forgets every count', () => {
      const { breaker } = setup({ failureThreshold: 1 });
      feed(breaker, 'E');
      breaker.canExecute();
      breaker.reset();
      expect(breaker.getMetrics()).toEqual({
        calls: 0,
        failures: 0,
        slowCalls: 0,
        rejections: 0,
        failureRate: 0,
        slowCallRate: 0,
        state: 'closed',
        openedAt: undefined,
        nextAttemptAt: undefined,
        trips: 0,
      });
    });

    it('when disabled, runs every call and counts nothing', async () => {
      const { breaker } = setup({ failureThreshold: 1 });
      breaker.disable();
      for (let i = 0; i < 3; i++) await breaker.execute(() => Promise.reject(boom)).catch(swallow);
      expect(breaker.state).toBe('disabled');
      expect(breaker.getMetrics().calls).toBe(0);
    });

    it('in metrics-only mode, counts every call and never opens', async () => {
      const { breaker } = setup({ failureThreshold: 1 });
      breaker.metricsOnly();
      for (let i = 0; i < 3; i++) await breaker.execute(() => Promise.reject(boom)).catch(swallow);
      expect(breaker.getMetrics()).toMatchObject({ state: 'metrics_only', calls: 3, failures: 3 });
    });
  });

  describe('error classification', () => {
    it('counts an error for which isFailure is false as a success', () => {
      const { breaker } = setup({ failureThreshold: 2, isFailure: (error) => !(error instanceof TypeError) });
      feed(breaker, 'E');
      breaker.recordFailure(new TypeError('bad input'));
      feed(breaker, 'E');
      expect(breaker.state).toBe('closed');
      expect(breaker.getStatus()).toMatchObject({ successes: 1, failures: 2 });
    });

    it('records only errors listed in recordErrors', () => {
      const { breaker } = setup({ failureThreshold: 1, recordErrors: [NetworkError] });
      breaker.recordFailure(new TypeError('x'));
      expect(breaker.state).toBe('closed');
      breaker.recordFailure(new NetworkError('down'));
      expect(breaker.state).toBe('open');
    });

    it('counts ignored errors as nothing: no call, no failure, no dilution', () => {
      const { breaker } = setup({
        minimumNumberOfCalls: 4,
        failureThreshold: 100,
        ignoreErrors: [IgnoredError],
      });
      feed(breaker, 'SSEIIIIE');
      expect(breaker.getMetrics()).toMatchObject({ calls: 4, failureRate: 0.5, state: 'open' });
      expect(breaker.getStatus().ignored).toBe(4);
    });

    it('counts a result for which isFailureResult is true as a failure, and still returns it', async () => {
      const { breaker } = setup({ failureThreshold: 1, isFailureResult: (result) => result === 503 });
      await expect(breaker.execute(async () => 503)).resolves.toBe(503);
      expect(breaker.state).toBe('open');
    });
  });

  describe('cooldown growth', () => {
    it('grows the cooldown by backoffMultiplier on each failed trial, up to maxCooldownMs', async () => {
      const { breaker, clock } = setup({
        failureThreshold: 1,
        cooldownMs: 1000,
        exponentialBackoff: true,
        backoffMultiplier: 2,
        maxCooldownMs: 3000,
        successThreshold: 1,
      });
      const cooldowns: number[] = [];
      feed(breaker, 'E');
      for (let trip = 0; trip < 3; trip++) {
        const { openedAt = 0, nextAttemptAt = 0 } = breaker.getMetrics();
        cooldowns.push(nextAttemptAt - openedAt);
        await clock.advance(nextAttemptAt - clock.now());
        feed(breaker, 'E');
      }
      expect(cooldowns).toEqual([1000, 2000, 3000]);
      await clock.advance(3000);
      feed(breaker, 'S');
      feed(breaker, 'E');
      const { openedAt = 0, nextAttemptAt = 0 } = breaker.getMetrics();
      expect(nextAttemptAt - openedAt).toBe(1000);
    });

    it('spreads each cooldown by up to ± jitter', () => {
      const cooldownAt = (random: number) => {
        vi.spyOn(Math, 'random').mockReturnValue(random);
        const { breaker } = setup({ failureThreshold: 1, cooldownMs: 1000, jitter: 0.2 });
        feed(breaker, 'E');
        return breaker.getMetrics().nextAttemptAt;
      };
      expect(cooldownAt(0)).toBe(800);
      expect(cooldownAt(0.5)).toBe(1000);
      expect(cooldownAt(0.999_999)).toBe(1200);
    });
  });

  describe('calls and signals', () => {
    it('keeps a synchronous function synchronous through runSync', () => {
      const { breaker } = setup();
      expect(breaker[runSync](() => 7)).toBe(7);
      expect(() =>
        breaker[runSync](() => {
          throw boom;
        }),
      ).toThrow(boom);
      expect(breaker.getMetrics()).toMatchObject({ calls: 2, failures: 1 });
    });

    it('returns a promise from execute even for a synchronous function', async () => {
      const { breaker } = setup();
      const result = breaker.execute(() => 'sync');
      expect(result).toBeInstanceOf(Promise);
      await expect(result).resolves.toBe('sync');
    });

    it('rejects with the reason of an already aborted signal, without running or counting', async () => {
      const { breaker } = setup();
      const controller = new AbortController();
      controller.abort(new Error('cancelled'));
      const fn = vi.fn(async () => 1);
      await expect(breaker.execute(fn, controller.signal)).rejects.toThrow('cancelled');
      expect(fn).not.toHaveBeenCalled();
      expect(breaker.getMetrics().calls).toBe(0);
    });

    it('rejects at once when the caller aborts, and counts the call as ignored', async () => {
      const { breaker } = setup({ failureThreshold: 1 });
      const controller = new AbortController();
      const pending = breaker.execute(
        ({ signal }) =>
          new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
        controller.signal,
      );
      controller.abort(new Error('user left'));
      await expect(pending).rejects.toThrow('user left');
      expect(breaker.state).toBe('closed');
      expect(breaker.getStatus()).toMatchObject({ calls: 0, ignored: 1 });
    });
  });

  describe('CircuitBreakerOpenError', () => {
    it('is a BulwarkError with a stable code, exported also as CircuitBreakerOpen', async () => {
      const { breaker } = setup();
      breaker.forceOpen();
      const error = await breaker.execute(async () => 1).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(BulwarkError);
      expect(error).toBeInstanceOf(CircuitBreakerOpen);
      expect(CircuitBreakerOpen).toBe(CircuitBreakerOpenError);
      expect(isCircuitBreakerOpenError(error)).toBe(true);
      expect(isCircuitBreakerOpenError(new Error('x'))).toBe(false);
      expect(isCircuitBreakerOpenError({ code: 'CIRCUIT_OPEN' })).toBe(false);
    });

    it('is created without a stack trace on the fast path', async () => {
      const { breaker } = setup();
      breaker.forceOpen();
      const error = (await breaker.execute(async () => 1).catch((caught: unknown) => caught)) as Error;
      expect(error.stack?.split('\n')).toHaveLength(1);
    });
  });

  describe('events', () => {
    it('stops notifying a listener whose subscription was disposed', () => {
      const { breaker } = setup();
      const listener = vi.fn();
      const subscription = breaker.onStateChange(listener);
      breaker.forceOpen();
      subscription.dispose();
      breaker.forceClose();
      expect(listener).toHaveBeenCalledTimes(1);
    });
  });
});
