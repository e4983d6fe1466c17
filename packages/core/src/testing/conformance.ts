import { type Backend, registerBackend, type StartMethod } from '@mproc/core';
import { describe } from 'vitest';
import { bytesSuite } from './bytes-suite.js';
import { conditionSuite } from './condition-suite.js';
import { executorSuite } from './executor-suite.js';
import { healthSuite } from './health-suite.js';
import { identitySuite } from './identity-suite.js';
import { managerSuite } from './manager-suite.js';
import { pipeSuite } from './pipe-suite.js';
import { poolFeaturesSuite } from './pool-features-suite.js';
import { poolSuite } from './pool-suite.js';
import { processSuite } from './process-suite.js';
import { queueSuite } from './queue-suite.js';
import { reliabilitySuite } from './reliability-suite.js';
import { remoteSuite } from './remote-suite.js';
import { sharedSuite } from './shared-suite.js';
import { unsendableSuite } from './unsendable-suite.js';

/**
 * Registers the whole conformance suite for `backend` (which it registers with `registerBackend`).
 * The backend's declared capabilities, not its name, gate the cases that SPEC section 7 lets differ,
 * so a third party's backend gets the expectations it declares. A remote backend runs the Pool and
 * executor parts, and the refusal of everything else.
 */
export function describeConformance(backend: Backend): void {
  registerBackend(backend);
  const { capabilities } = backend;
  const method = backend.name as StartMethod;
  describe(`conformance: ${method}`, () => {
    poolSuite(method, capabilities);
    executorSuite(method, capabilities);
    poolFeaturesSuite(method, capabilities);
    if (capabilities.remote) {
      // Workers on other machines: only Pool and the executor exist there (SPEC 7).
      remoteSuite(method);
      unsendableSuite(method);
      reliabilitySuite(method, capabilities);
      return;
    }
    processSuite(method, capabilities);
    queueSuite(method, capabilities);
    pipeSuite(method, capabilities);
    bytesSuite(method, capabilities);
    managerSuite(method, capabilities);
    sharedSuite(method, capabilities);
    conditionSuite(method, capabilities);
    identitySuite(method);
    unsendableSuite(method);
    healthSuite(method);
    reliabilitySuite(method, capabilities);
  });
}
