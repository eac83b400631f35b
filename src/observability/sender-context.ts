import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The id of the actor whose handler is running, carried across its awaits, so a message it
 * sends is attributed to it.
 */
export const senderContext = new AsyncLocalStorage<string>();

/** The sender of a message sent now: the running observable actor, or `external`. */
export function currentSender(): string {
  return senderContext.getStore() ?? 'external';
}
