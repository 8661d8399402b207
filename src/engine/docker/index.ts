export { createDockerEngine } from './docker-engine.js';
export type { DockerEngine } from './docker-engine.js';
export { DEFAULT_DOCKER_SOCKET, parseDockerHost } from './connection.js';
export type { DockerConnectionOptions, DockerEndpoint } from './connection.js';
