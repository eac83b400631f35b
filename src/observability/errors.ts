import { BulwarkError, errorGuard } from '../core/index.js';

/** Thrown by `applySteeringPolicy` for a name no policy was registered under. */
export class SteeringPolicyNotFoundError extends BulwarkError {
  readonly policyName: string;

  constructor(policyName: string) {
    super('STEERING_POLICY_NOT_FOUND', `No steering policy is registered as "${policyName}"`);
    this.name = 'SteeringPolicyNotFoundError';
    this.policyName = policyName;
  }
}

/** Whether `value` is a {@link SteeringPolicyNotFoundError}, from any copy of bulwark. */
export const isSteeringPolicyNotFoundError =
  errorGuard<SteeringPolicyNotFoundError>('STEERING_POLICY_NOT_FOUND');
