import { backend } from '@mproc/backend-threads';
import { describeConformance } from '@mproc/core/testing';

describeConformance(backend);
