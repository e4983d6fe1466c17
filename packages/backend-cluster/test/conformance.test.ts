import { backend } from '@mproc/backend-cluster';
import { describeConformance } from '@mproc/core/testing';

describeConformance(backend);
