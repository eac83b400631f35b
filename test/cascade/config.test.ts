import { describe, expect, it } from 'vitest';
import {
  AnomalyDetector,
  CascadePreventionSystem,
  ConsensusValidator,
  ErrorPropagationTracker,
} from '../../src/cascade/index.js';
import { ActorSystem } from '../../src/supervision/index.js';

describe('AnomalyDetectorConfig', () => {
  it('rejects unknown options with a suggestion', () => {
    expect(() => new AnomalyDetector({ windowsize: 10 } as never)).toThrow(
      new TypeError(
        'AnomalyDetectorConfig has no option "windowsize" (did you mean "windowSize"?); known options: windowSize, zScoreThreshold, minSamples, minStdDev',
      ),
    );
  });

  it('names the field and what it expects', () => {
    expect(() => new AnomalyDetector({ windowSize: 1 })).toThrow(
      new RangeError('AnomalyDetectorConfig.windowSize must be an integer >= 2, received 1'),
    );
    expect(() => new AnomalyDetector({ zScoreThreshold: 0 })).toThrow(
      /AnomalyDetectorConfig.zScoreThreshold/,
    );
    expect(() => new AnomalyDetector({ minSamples: 1.5 })).toThrow(RangeError);
    expect(() => new AnomalyDetector({ minStdDev: -1 })).toThrow(RangeError);
    expect(() => new AnomalyDetector({ windowSize: '10' as never })).toThrow(TypeError);
  });
});

describe('ErrorPropagationTrackerConfig', () => {
  it('names the field and what it expects', () => {
    expect(() => new ErrorPropagationTracker({ maxPropagationDepth: 0 })).toThrow(
      new RangeError('ErrorPropagationTrackerConfig.maxPropagationDepth must be an integer >= 1, received 0'),
    );
    expect(() => new ErrorPropagationTracker({ failureWindowMs: -1 })).toThrow(/failureWindowMs/);
    expect(() => new ErrorPropagationTracker({ quarantineThreshold: 0 })).toThrow(/quarantineThreshold/);
    expect(() => new ErrorPropagationTracker({ quarantineDurationMs: 0 })).toThrow(/quarantineDurationMs/);
    expect(() => new ErrorPropagationTracker({ maxHistory: 0 })).toThrow(/maxHistory/);
    expect(() => new ErrorPropagationTracker({ clock: {} as never })).toThrow(TypeError);
    expect(() => new ErrorPropagationTracker({ maxDepth: 3 } as never)).toThrow(/no option "maxDepth"/);
  });
});

describe('ConsensusValidatorConfig', () => {
  it('names the field and what it expects', () => {
    expect(() => new ConsensusValidator({ quorumSize: 0 })).toThrow(
      new RangeError('ConsensusValidatorConfig.quorumSize must be an integer >= 1, received 0'),
    );
    expect(() => new ConsensusValidator({ agreementThreshold: 0 })).toThrow(/agreementThreshold/);
    expect(() => new ConsensusValidator({ agreementThreshold: 1.1 })).toThrow(RangeError);
    expect(() => new ConsensusValidator({ timeoutMs: 0 })).toThrow(/timeoutMs/);
    expect(() => new ConsensusValidator({ quorumsize: 3 } as never)).toThrow(/did you mean "quorumSize"/);
  });
});

describe('CascadePreventionConfig', () => {
  const system = new ActorSystem();

  it('needs an actor system and a collector with recordSystemEvent', () => {
    expect(() => new CascadePreventionSystem(undefined as never)).toThrow(TypeError);
    expect(() => new CascadePreventionSystem(system, {} as never)).toThrow(/recordSystemEvent/);
  });

  it('names the field and what it expects', () => {
    expect(() => new CascadePreventionSystem(system, undefined, { defaultTimeoutMs: 0 })).toThrow(
      /CascadePreventionConfig.defaultTimeoutMs/,
    );
    expect(() => new CascadePreventionSystem(system, undefined, { anomalyRejectionScore: 0 })).toThrow(
      RangeError,
    );
    expect(
      () => new CascadePreventionSystem(system, undefined, { anomalyRejectionScore: true as never }),
    ).toThrow(TypeError);
    expect(() => new CascadePreventionSystem(system, undefined, { emergencyThreshold: 2 })).toThrow(
      RangeError,
    );
    expect(
      () =>
        new CascadePreventionSystem(system, undefined, {
          emergencyThreshold: 0.6,
          emergencyExitThreshold: 0.4,
        }),
    ).toThrow(/emergencyExitThreshold must be at least emergencyThreshold/);
    expect(() => new CascadePreventionSystem(system, undefined, { monitorIntervalMs: 0 })).toThrow(
      RangeError,
    );
    expect(() => new CascadePreventionSystem(system, undefined, { breaker: {} } as never)).toThrow(
      /no option "breaker"/,
    );
  });

  it('validates the options of its parts by their own names', () => {
    expect(() => new CascadePreventionSystem(system, undefined, { anomaly: { windowSize: 0 } })).toThrow(
      /AnomalyDetectorConfig.windowSize/,
    );
    expect(() => new CascadePreventionSystem(system, undefined, { consensus: { quorumSize: 0 } })).toThrow(
      /ConsensusValidatorConfig.quorumSize/,
    );
    expect(
      () => new CascadePreventionSystem(system, undefined, { circuitBreaker: { failureThreshold: 0 } }),
    ).toThrow(/failureThreshold/);
  });

  it('validates the options of a call', async () => {
    const cascade = new CascadePreventionSystem(system);
    const ref = { actorId: 'a', ask: () => Promise.resolve(1) } as never;
    expect(() => cascade.protectedCall(ref, 'get', undefined, { timeoutMs: -5 })).toThrow(
      /ProtectedCallOptions.timeoutMs/,
    );
  });
});
