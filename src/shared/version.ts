/** The studio's version, written into every output's reproducibility record (a test keeps it equal to package.json). */
export const APP_NAME = 'On-device Sora Studio';
export const APP_VERSION = '0.1.0';
