import { mprocVitestConfig } from '../../vitest.shared.js';

export default mprocVitestConfig('backend-bullmq');
