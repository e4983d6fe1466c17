import { backend } from '@mproc/backend-fork';
import { describeConformance } from '@mproc/core/testing';

describeConformance(backend);
