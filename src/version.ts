/** berth's version, reported by `berth version` and written to `com.docker.compose.version` labels. */
export const BERTH_VERSION = '0.1.0';
