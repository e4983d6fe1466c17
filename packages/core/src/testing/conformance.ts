import { describe } from 'vitest';
import { bytesSuite } from './bytes-suite.js';
import { conditionSuite } from './condition-suite.js';
import { executorSuite } from './executor-suite.js';
import { identitySuite } from './identity-suite.js';
import { managerSuite } from './manager-suite.js';
import { pipeSuite } from './pipe-suite.js';
import { poolSuite } from './pool-suite.js';
import { processSuite } from './process-suite.js';
import { queueSuite } from './queue-suite.js';
import { sharedSuite } from './shared-suite.js';

/** Registers the whole conformance suite for the start method `method`. */
export function describeConformance(method: string): void {
  describe(`conformance: ${method}`, () => {
    poolSuite(method);
    executorSuite(method);
    processSuite(method);
    queueSuite(method);
    pipeSuite(method);
    bytesSuite(method);
    managerSuite(method);
    sharedSuite(method);
    conditionSuite(method);
    identitySuite(method);
  });
}
