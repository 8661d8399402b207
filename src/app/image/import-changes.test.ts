import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyChanges, splitWords } from './import-changes.js';

describe('splitWords', () => {
  it('splits on whitespace and honours quotes and escapes', () => {
    assert.deepEqual(splitWords(`a "b c" 'd e' f\\ g "h\\"i" '' x=""`), ['a', 'b c', 'd e', 'f g', 'h"i', '', 'x=']);
    assert.deepEqual(splitWords('  '), []);
    assert.throws(() => splitWords('"open'), { name: 'UsageError', message: 'unterminated quote in ""open"' });
  });
});

describe('applyChanges', () => {
  it('applies ENV in both forms, later values replacing earlier ones', () => {
    assert.deepEqual(applyChanges(['ENV A=1 B="two words"', 'env C  spaced  value ', 'ENV A=3']), { Env: ['B=two words', 'C=spaced  value', 'A=3'] });
  });

  it('takes CMD and ENTRYPOINT in exec and shell form; ENTRYPOINT drops an earlier-unset CMD', () => {
    assert.deepEqual(applyChanges(['CMD ["sh", "-c", "echo hi"]']), { Cmd: ['sh', '-c', 'echo hi'] });
    assert.deepEqual(applyChanges(['CMD echo $HOME']), { Cmd: ['/bin/sh', '-c', 'echo $HOME'] });
    assert.deepEqual(applyChanges(['CMD [not json']), { Cmd: ['/bin/sh', '-c', '[not json'] });
    assert.deepEqual(applyChanges(['ENTRYPOINT ["/init"]'], { Cmd: ['old'] }), { Entrypoint: ['/init'] });
    assert.deepEqual(applyChanges(['CMD ["x"]', 'ENTRYPOINT ["/init"]']), { Cmd: ['x'], Entrypoint: ['/init'] });
  });

  it('sets WORKDIR (relative to the previous one), USER, STOPSIGNAL, EXPOSE, VOLUME and LABEL', () => {
    assert.deepEqual(
      applyChanges(['WORKDIR /srv', 'WORKDIR app/../web', 'USER nobody:nogroup', 'STOPSIGNAL SIGINT', 'EXPOSE 80 53/UDP 8000-8001', 'VOLUME ["/data"]', 'VOLUME /a /b', 'LABEL a=1 "b c"="d e"']),
      {
        WorkingDir: '/srv/web',
        User: 'nobody:nogroup',
        StopSignal: 'SIGINT',
        ExposedPorts: { '80/tcp': {}, '53/udp': {}, '8000/tcp': {}, '8001/tcp': {} },
        Volumes: { '/data': {}, '/a': {}, '/b': {} },
        Labels: { a: '1', 'b c': 'd e' },
      },
    );
  });

  it('refuses unsupported instructions and malformed arguments, naming them', () => {
    assert.throws(() => applyChanges(['RUN echo']), { name: 'UsageError', message: 'invalid change "RUN echo": only CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME and WORKDIR are supported' });
    assert.throws(() => applyChanges(['USER']), { message: 'USER needs an argument (in change "USER")' });
    assert.throws(() => applyChanges(['  ']), { message: 'invalid change "  "' });
    assert.throws(() => applyChanges(['LABEL novalue']), { message: 'LABEL needs KEY=value, got "novalue"' });
    assert.throws(() => applyChanges(['ENV LONE']), { message: 'ENV LONE needs a value' });
    assert.throws(() => applyChanges(['EXPOSE 70000']), { message: 'invalid port "70000" in EXPOSE' });
    assert.throws(() => applyChanges(['EXPOSE http']), { message: 'invalid port "http" in EXPOSE' });
  });
});
