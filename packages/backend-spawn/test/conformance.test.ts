import { backend } from '@mproc/backend-spawn';
import { describeConformance } from '@mproc/core/testing';

describeConformance(backend);
