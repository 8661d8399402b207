import { readFileSync } from 'node:fs';
import './defer-unused-modules.js';
import Docker from 'dockerode';

export const DEFAULT_DOCKER_SOCKET = '/var/run/docker.sock';

export interface DockerConnectionOptions {
  /** `unix:///path`, `tcp://host:port`, `http://…`, or a bare socket path; default DOCKER_HOST or the default socket. */
  host?: string;
  /** The environment to read DOCKER_HOST / DOCKER_TLS_VERIFY / DOCKER_CERT_PATH from (default process.env). */
  env?: Readonly<Record<string, string | undefined>>;
}

export type DockerEndpoint =
  | { kind: 'socket'; path: string; display: string }
  | { kind: 'tcp'; host: string; port: number; protocol: 'http' | 'https'; display: string };

/** Turns a DOCKER_HOST-style address into where to connect. */
export function parseDockerHost(host: string | undefined, tlsVerify = false): DockerEndpoint {
  if (host === undefined || host === '') return { kind: 'socket', path: DEFAULT_DOCKER_SOCKET, display: `unix://${DEFAULT_DOCKER_SOCKET}` };
  if (host.startsWith('unix://')) {
    const path = host.slice('unix://'.length) || DEFAULT_DOCKER_SOCKET;
    return { kind: 'socket', path, display: `unix://${path}` };
  }
  if (host.startsWith('/')) return { kind: 'socket', path: host, display: `unix://${host}` };
  const withScheme = host.includes('://') ? host : `tcp://${host}`;
  const url = new URL(withScheme);
  if (!['tcp:', 'http:', 'https:'].includes(url.protocol)) {
    throw new Error(`unsupported Docker host "${host}": use unix://, tcp:// or http(s)://`);
  }
  const https = url.protocol === 'https:' || tlsVerify || url.port === '2376';
  const port = url.port === '' ? (https ? 2376 : 2375) : Number(url.port);
  return { kind: 'tcp', host: url.hostname, port, protocol: https ? 'https' : 'http', display: host };
}

export function connectDocker(opts: DockerConnectionOptions = {}): { docker: Docker; endpoint: DockerEndpoint } {
  const env = opts.env ?? process.env;
  const endpoint = parseDockerHost(opts.host ?? env.DOCKER_HOST, env.DOCKER_TLS_VERIFY === '1');
  if (endpoint.kind === 'socket') return { docker: new Docker({ socketPath: endpoint.path }), endpoint };
  const certPath = env.DOCKER_CERT_PATH;
  const tls = endpoint.protocol === 'https' && certPath !== undefined && certPath !== ''
    ? { ca: `${certPath}/ca.pem`, cert: `${certPath}/cert.pem`, key: `${certPath}/key.pem` }
    : undefined;
  const docker = new Docker({
    host: endpoint.host,
    port: endpoint.port,
    protocol: endpoint.protocol,
    ...(tls === undefined ? {} : { ca: readFileSync(tls.ca), cert: readFileSync(tls.cert), key: readFileSync(tls.key) }),
  });
  return { docker, endpoint };
}
