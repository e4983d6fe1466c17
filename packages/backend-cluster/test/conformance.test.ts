import { describeConformance } from '@mproc/core/testing';

describeConformance('cluster');
