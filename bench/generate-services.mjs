// Service templates of the generated benchmark project (see generate-project.mjs): one
// template per kind, each exercising a different mix of compose features.

export const NETWORKS = ['front', 'back', 'data'];
export const VOLUME_COUNT = 12;
const pad = (i) => String(i).padStart(3, '0');
const svcName = (i) => `svc-${pad(i)}`;

// The kind decides how a service is written; it cycles so every feature appears ~50 times.
export const KINDS = ['web', 'web', 'extends-local-web', 'extends-file-web', 'worker', 'extends-file-worker', 'db', 'extends-file-db', 'extends-local-worker', 'build'];
export const HEALTHY_KINDS = new Set(['web', 'extends-local-web', 'extends-file-web', 'db', 'extends-file-db']);

// `restart: true` (compose 2.17+) is unknown to docker-compose 1.29, so the peer variant leaves it out
// (the random draw still happens so both variants share every other choice).
function dependsOn(i, rnd, healthy, variant) {
  if (i < 3) return '';
  const targets = new Set([i - 1 - Math.floor(rnd() * Math.min(i - 1, 6))]);
  if (i >= 20 && rnd() < 0.5) targets.add(i - 10 - Math.floor(rnd() * 10));
  const lines = ['    depends_on:'];
  for (const t of [...targets].sort((a, b) => a - b)) {
    lines.push(`      ${svcName(t)}:`, `        condition: ${healthy[t] ? 'service_healthy' : 'service_started'}`);
    if (rnd() < 0.3 && variant === 'full') lines.push('        restart: true');
  }
  return lines.join('\n') + '\n';
}

export function service(i, kind, rnd, healthy, variant) {
  const n = svcName(i);
  const vol = `vol-${pad(i % VOLUME_COUNT)}`;
  const net = NETWORKS[i % NETWORKS.length];
  const deps = dependsOn(i, rnd, healthy, variant);
  switch (kind) {
    case 'web':
      return `  ${n}:
    <<: *defaults
    image: \${REGISTRY:-docker.io}/bench/${n}:\${TAG_${pad(i)}:-1.${i % 7}.0}
    ports:
      - "${20000 + i}:8080"
      - target: 8443
        published: "${25000 + i}"
        protocol: tcp
        mode: ingress
    environment:
      <<: *common-env
      PORT: 8080
      SERVICE_NAME: ${n}
      UPSTREAM: http://${svcName(Math.max(0, i - 1))}:8080
    volumes:
      - ./data/${n}:/var/lib/app
      - ${vol}:/cache:ro
    healthcheck:
      <<: *healthcheck
      test: ["CMD", "curl", "-f", "http://localhost:\${PORT:-8080}/health"]
    networks:
      - ${i % 2 === 0 ? 'back' : 'data'}
      - front
    labels:
      com.example.service: ${n}
      com.example.index: "${i}"
${deps}`;
    case 'extends-local-web':
      return `  ${n}:
    extends: base-web
    ports:
      - "${20000 + i}:80"
    environment:
      SERVICE_NAME: ${n}
      CACHE_SIZE: \${CACHE_SIZE:-${64 + (i % 5) * 64}}
${deps}`;
    case 'extends-file-web':
      return `  ${n}:
    extends:
      file: common/common.yaml
      service: web-template
    ports:
      - "${20000 + i}:80"
    environment:
      SERVICE_NAME: ${n}
    networks:
      front:
        aliases:
          - ${n}.web.internal
${deps}`;
    case 'worker':
      return `  ${n}:
    <<: [*defaults, *worker]
    image: \${REGISTRY:-docker.io}/bench/${n}:\${TAG_${pad(i)}:-2.${i % 5}.1}
    command: ["run", "--queue", "q-${i % 17}", "--prefetch", "\${PREFETCH:-${1 + (i % 8)}}"]
    environment:
      - SERVICE_NAME=${n}
      - QUEUE=q-${i % 17}
      - SHARED_SECRET
      - BATCH_SIZE=${10 * (1 + (i % 9))}
    volumes:
      - type: volume
        source: ${vol}
        target: /spool
        volume:
          nocopy: true
      - type: tmpfs
        target: /tmp
    networks:
      - back
    labels:
      - com.example.service=${n}
      - com.example.tier=worker
${deps}`;
    case 'extends-file-worker':
      return `  ${n}:
    extends:
      file: common/common.yaml
      service: worker-template
    environment:
      - SERVICE_NAME=${n}
    networks:
      - back
${deps}`;
    case 'db':
      return `  ${n}:
    <<: *defaults
    image: \${REGISTRY:-docker.io}/library/postgres:\${PG_TAG:-16}
    environment:
      POSTGRES_DB: db_${pad(i)}
      POSTGRES_PASSWORD: \${PG_PASSWORD:-secret}
    volumes:
      - type: volume
        source: ${vol}
        target: /var/lib/postgresql/data
      - type: bind
        source: ./init/${n}.sql
        target: /docker-entrypoint-initdb.d/init.sql
        read_only: true
    healthcheck:
      <<: *healthcheck
      test: ["CMD-SHELL", "pg_isready -U postgres -d db_${pad(i)}"]
    networks:
      - data
${deps}`;
    case 'extends-file-db':
      return `  ${n}:
    extends:
      file: common/common.yaml
      service: db-template
    environment:
      POSTGRES_DB: db_${pad(i)}
    volumes:
      - ${vol}:/var/lib/postgresql/data
    networks:
      - data
${deps}`;
    case 'extends-local-worker':
      return `  ${n}:
    extends:
      service: base-worker
    environment:
      - SERVICE_NAME=${n}
      - QUEUE=q-${i % 13}
${deps}`;
    case 'build':
      return `  ${n}:
    <<: *defaults
    build:
      context: ./build/app
      args:
        APP_NAME: ${n}
        NODE_VERSION: \${NODE_VERSION:-20}
    image: bench/${n}:local
    expose:
      - "${9000 + (i % 100)}"
    environment:
      SERVICE_NAME: ${n}
    networks:
      - ${net}
${deps}`;
    default:
      throw new Error(`unknown kind ${kind}`);
  }
}
