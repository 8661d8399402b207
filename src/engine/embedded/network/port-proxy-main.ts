/**
 * The userland port proxy: what publishes a container's ports when the host has no usable
 * iptables. One detached process per container, started with the port list as JSON:
 * `node port-proxy-main.js '[{"protocol":"tcp","hostIp":"","hostPort":8080,"containerIp":"172.18.0.2","containerPort":80}]'`.
 * It writes `ready` (or `error: …`) on stdout once every port listens, then serves until
 * SIGTERM.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, createServer, type Server } from 'node:net';

interface ProxyPort {
  protocol: string;
  hostIp: string;
  hostPort: number;
  containerIp: string;
  containerPort: number;
}

/** UDP "connections" (one socket toward the container per client) idle out after this. */
const UDP_IDLE_MS = 30_000;

function listenTcp(p: ProxyPort): Promise<Server> {
  const server = createServer((client) => {
    const upstream = connect({ host: p.containerIp, port: p.containerPort });
    client.pipe(upstream);
    upstream.pipe(client);
    const close = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close);
    upstream.on('error', close);
    client.on('close', close);
    upstream.on('close', close);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: p.hostIp === '' ? '0.0.0.0' : p.hostIp, port: p.hostPort }, () => resolve(server));
  });
}

function listenUdp(p: ProxyPort): Promise<UdpSocket> {
  const front = createSocket('udp4');
  const clients = new Map<string, { socket: UdpSocket; timer: NodeJS.Timeout }>();
  front.on('message', (msg, rinfo) => {
    const key = `${rinfo.address}:${rinfo.port}`;
    let c = clients.get(key);
    if (c === undefined) {
      const socket = createSocket('udp4');
      socket.on('message', (reply) => front.send(reply, rinfo.port, rinfo.address));
      socket.on('error', () => socket.close());
      c = { socket, timer: setTimeout(() => undefined, 0) };
      clients.set(key, c);
    }
    clearTimeout(c.timer);
    const entry = c;
    entry.timer = setTimeout(() => {
      entry.socket.close();
      clients.delete(key);
    }, UDP_IDLE_MS);
    entry.socket.send(msg, p.containerPort, p.containerIp);
  });
  return new Promise((resolve, reject) => {
    front.once('error', reject);
    front.bind({ address: p.hostIp === '' ? '0.0.0.0' : p.hostIp, port: p.hostPort }, () => resolve(front));
  });
}

async function main(): Promise<void> {
  const ports = JSON.parse(process.argv[2] ?? '[]') as ProxyPort[];
  const open: Array<{ close: () => void }> = [];
  try {
    for (const p of ports) {
      if (p.protocol === 'tcp') open.push(await listenTcp(p));
      else if (p.protocol === 'udp') open.push(await listenUdp(p));
      else throw new Error(`the userland proxy cannot publish ${p.protocol} ports`);
    }
  } catch (err) {
    process.stdout.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
  process.stdout.write('ready\n');
  const stop = (): void => {
    for (const o of open) o.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // Whoever started us has stopped reading: nothing more is written to stdout.
  process.stdout.on('error', () => undefined);
}

void main();
