import { version } from '../../package.json';

/** The app version (package.json, inlined at build). */
export const RUNLENS_VERSION: string = version;
