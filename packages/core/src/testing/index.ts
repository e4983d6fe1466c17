/**
 * The conformance suite every backend runs (`@mproc/core/testing`): one call per backend package,
 * `describeConformance(backend)`, registers every SPEC behaviour as vitest tests on that backend.
 * Capabilities of the backend gate the few cases that differ by SPEC section 7.
 */
export { describeConformance } from './conformance.js';
export { untilEveryWorkerAnswers } from './pool-suite.js';
