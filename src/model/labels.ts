/** The labels berth writes and reads, exactly as docker compose names them (compose-spec.md §4.1). */
export const LABEL = {
  project: 'com.docker.compose.project',
  service: 'com.docker.compose.service',
  version: 'com.docker.compose.version',
  workingDir: 'com.docker.compose.project.working_dir',
  configFiles: 'com.docker.compose.project.config_files',
  environmentFile: 'com.docker.compose.project.environment_file',
  oneoff: 'com.docker.compose.oneoff',
  slug: 'com.docker.compose.slug',
  containerNumber: 'com.docker.compose.container-number',
  configHash: 'com.docker.compose.config-hash',
  dependsOn: 'com.docker.compose.depends_on',
  image: 'com.docker.compose.image',
  replace: 'com.docker.compose.replace',
  network: 'com.docker.compose.network',
  volume: 'com.docker.compose.volume',
  imageBuilder: 'com.docker.compose.image.builder',
  engine: 'com.docker.compose.engine',
} as const;

/** Labels values of `com.docker.compose.oneoff`. */
export const ONEOFF_TRUE = 'True';
export const ONEOFF_FALSE = 'False';
