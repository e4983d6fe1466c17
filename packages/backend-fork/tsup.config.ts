export { default } from '../../tsup.backend.js';
