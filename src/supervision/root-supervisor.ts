import { type Disposable, toDisposable } from '../core/index.js';
import { ChildStatus } from './constants.js';
import { Detached, resumedKey } from './internal.js';
import { SupervisorActor } from './supervisor-actor.js';
import { coreOf } from './system-core.js';

/** Options of {@link RootSupervisor.installSignalHandlers}. */
export interface SignalHandlerOptions {
  /**
   * The signals that start a graceful shutdown.
   * @default ['SIGTERM', 'SIGINT']
   */
  signals?: readonly NodeJS.Signals[] | undefined;
  /**
   * Re-raise the signal once the shutdown is done, so the process ends as it would have.
   * @default true
   */
  exitAfterShutdown?: boolean | undefined;
}

/**
 * The supervisor at the top of an actor system: every actor created with `createActor`
 * is its child. It also answers the messages `system_shutdown` and `emergency_stop`.
 *
 * @example
 * const system = new ActorSystem();
 * system.root.installSignalHandlers(); // SIGTERM/SIGINT stop every actor gracefully
 */
export class RootSupervisor extends SupervisorActor {
  override receive(type: string, payload: unknown): unknown {
    // Both stop this very actor, so they must not hold its mailbox while they run.
    if (type === 'system_shutdown') return new Detached(this.systemShutdown());
    if (type === 'emergency_stop') return new Detached(Promise.resolve(this.emergencyStop()));
    return super.receive(type, payload);
  }

  /** Stops every actor in reverse start order, each within its shutdown timeout, then the system's nodes. */
  systemShutdown(): Promise<void> {
    return this.system.shutdown();
  }

  /** Stops every actor at once: no hooks run, waiting messages are dropped, nodes are terminated. */
  emergencyStop(): void {
    coreOf(this.system).emergencyStop();
  }

  /**
   * Starts a graceful {@link RootSupervisor.systemShutdown} on SIGTERM or SIGINT.
   * Dispose the result to remove the handlers.
   */
  installSignalHandlers(options: SignalHandlerOptions = {}): Disposable {
    const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
    const exit = options.exitAfterShutdown ?? true;
    const handlers = signals.map((signal) => {
      const handler = (): void => {
        release.dispose();
        void this.systemShutdown().finally(() => {
          if (exit) process.kill(process.pid, signal);
        });
      };
      process.on(signal, handler);
      return [signal, handler] as const;
    });
    const release = toDisposable(() => {
      for (const [signal, handler] of handlers) process.off(signal, handler);
    });
    return release;
  }

  /** A failure escalated to the top cannot be fixed above: the children that escalated stop. */
  override [resumedKey](): void {
    for (const child of this.whichChildren()) {
      if (child.status === ChildStatus.FAILED) void this.stopChild(child.id);
    }
  }
}
