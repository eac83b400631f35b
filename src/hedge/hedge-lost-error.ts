import { BulwarkError, errorGuard } from '../core/index.js';

/**
 * The abort reason of a hedged attempt that lost: another attempt succeeded first. The
 * caller never sees it; the attempt's function does, as `signal.reason`.
 */
export class HedgeLostError extends BulwarkError {
  constructor() {
    super('HEDGE_LOST', 'Another attempt of the hedged call succeeded first');
    this.name = 'HedgeLostError';
  }
}

/** Whether `value` is a {@link HedgeLostError} from any copy of bulwark. */
export const isHedgeLostError = errorGuard<HedgeLostError>('HEDGE_LOST');
