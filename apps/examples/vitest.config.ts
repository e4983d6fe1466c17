import { mprocVitestConfig } from '../../vitest.shared.js';

export default mprocVitestConfig('examples');
