import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createdAgo, ellipsis, formatPorts, humanSize, rfc3339Nano } from './format.js';
import { renderTable } from './table.js';

describe('formatPorts', () => {
  it('formats published, unpublished and ranged ports like docker', () => {
    assert.equal(
      formatPorts([
        { containerPort: 80, protocol: 'tcp', hostIp: '::', hostPort: 8080 },
        { containerPort: 80, protocol: 'tcp', hostIp: '0.0.0.0', hostPort: 8080 },
        { containerPort: 9000, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: 9000 },
        { containerPort: 9001, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: 9001 },
        { containerPort: 53, protocol: 'udp', hostIp: '', hostPort: 0 },
      ]),
      '53/udp, 0.0.0.0:8080->80/tcp, 127.0.0.1:9000-9001->9000-9001/tcp, [::]:8080->80/tcp',
    );
  });
});

describe('small formatters', () => {
  it('humanSize uses decimal units with three digits', () => {
    assert.deepEqual([humanSize(512), humanSize(4_264_000), humanSize(1_200_000_000)], ['512B', '4.26MB', '1.2GB']);
  });
  it('createdAgo speaks like docker', () => {
    assert.deepEqual([createdAgo(100, 100_500), createdAgo(100, 145_000), createdAgo(0, 90_000), createdAgo(0, 7_200_000)], [
      'Less than a second ago',
      '45 seconds ago',
      'About a minute ago',
      '2 hours ago',
    ]);
  });
  it('ellipsis cuts with …', () => {
    assert.equal(ellipsis("sh -c 'echo ready; exit 3'", 20), "sh -c 'echo ready; …");
    assert.equal(ellipsis('sleep 300', 20), 'sleep 300');
  });
  it('rfc3339Nano trims trailing zeros like Go', () => {
    assert.equal(rfc3339Nano(1704164645123400000n), '2024-01-02T03:04:05.1234Z');
    assert.equal(rfc3339Nano(1704164645000000000n), '2024-01-02T03:04:05Z');
  });
});

describe('renderTable', () => {
  it('pads columns to the widest cell plus three, at least ten', () => {
    assert.equal(renderTable(['NAME', 'STATUS', 'CONFIG FILES'], [['p', 'running(2)', '/a/compose.yaml']]), 'NAME      STATUS       CONFIG FILES\np         running(2)   /a/compose.yaml\n');
  });
});
