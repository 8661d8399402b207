import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DockerfileError, parseDockerfile, parseJsonArray } from './dockerfile-parser.js';
import { planDockerfile } from './instructions.js';

describe('Dockerfile parser', () => {
  it('joins continuations, drops comments (also inside continuations) and records start lines', () => {
    const p = parseDockerfile('# syntax=docker/dockerfile:1\n\n# a comment\nRUN echo a \\\n# inside\n\n  && echo b\n  copy --chown=1:2 --chmod=600 a /b\n');
    assert.equal(p.escape, '\\');
    assert.deepEqual(p.instructions.map((i) => [i.keyword, i.args, i.line, i.flags]), [
      ['RUN', 'echo a   && echo b', 4, []],
      ['COPY', 'a /b', 8, [{ name: 'chown', value: '1:2' }, { name: 'chmod', value: '600' }]],
    ]);
  });

  it('honours the escape directive only at the top', () => {
    const p = parseDockerfile('# escape=`\nFROM x\nRUN dir c:\\ `\n  && echo`\n');
    assert.equal(p.escape, '`');
    assert.deepEqual(p.instructions.map((i) => i.args), ['x', 'dir c:\\   && echo']);
    assert.equal(parseDockerfile('FROM x\n# escape=`\nRUN a `\n').instructions.length, 2);
    assert.throws(() => parseDockerfile('# escape=x\nFROM a\n'), (e) => e instanceof DockerfileError && e.line === 1);
  });

  it('tells exec form from shell form', () => {
    assert.deepEqual(parseJsonArray('["a", "b c"]'), ['a', 'b c']);
    assert.equal(parseJsonArray('[not json]'), undefined);
    assert.equal(parseJsonArray('[1]'), undefined);
  });

  it('types instructions and groups stages with global args', () => {
    const plan = planDockerfile([
      'ARG BASE=busybox', 'FROM ${BASE} AS Build', 'ENV A=1 B="two words"', 'ENV LEGACY value with spaces', 'RUN ["sh", "-c", "echo"]',
      'CMD echo hi', 'HEALTHCHECK --interval=5s --retries=2 CMD ["true"]', 'FROM build', 'COPY --from=build /a /b/', 'HEALTHCHECK NONE', '',
    ].join('\n'));
    assert.deepEqual(plan.globalArgs, [{ name: 'BASE', value: 'busybox' }]);
    assert.deepEqual(plan.stages.map((s) => [s.index, s.name, s.base, s.instructions.map((i) => i.kind)]), [
      [0, 'build', '${BASE}', ['env', 'env', 'run', 'cmd', 'healthcheck']],
      [1, undefined, 'build', ['copy', 'healthcheck']],
    ]);
    const [env, legacy, run, cmd, hc] = plan.stages[0]!.instructions;
    assert.deepEqual(env?.kind === 'env' && env.pairs, [{ name: 'A', value: '1' }, { name: 'B', value: '"two words"' }]);
    assert.deepEqual(legacy?.kind === 'env' && legacy.pairs, [{ name: 'LEGACY', value: 'value with spaces' }]);
    assert.deepEqual(run?.kind === 'run' && run.command, { form: 'exec', args: ['sh', '-c', 'echo'] });
    assert.deepEqual(cmd?.kind === 'cmd' && cmd.command, { form: 'shell', text: 'echo hi' });
    assert.deepEqual(hc?.kind === 'healthcheck' && [hc.none, hc.flags, hc.command], [false, { interval: '5s', retries: '2' }, { form: 'exec', args: ['true'] }]);
    const copy = plan.stages[1]!.instructions[0];
    assert.deepEqual(copy?.kind === 'copy' && [copy.from, copy.sources, copy.dest], ['build', ['/a'], '/b/']);
  });

  it('rejects what Docker rejects, with the line', () => {
    assert.throws(() => planDockerfile('FROM a\nFOO bar\n'), { message: 'dockerfile parse error on line 2: unknown instruction: FOO' });
    assert.throws(() => planDockerfile('RUN x\n'), /line 1: no build stage in current context/);
    assert.throws(() => planDockerfile('FROM a\nCOPY onlyone\n'), /line 2: COPY requires at least two arguments/);
    assert.throws(() => planDockerfile('FROM a AS x\nFROM b AS X\n'), /line 2: duplicate stage name "x"/);
    assert.throws(() => planDockerfile('FROM a\nSHELL sh -c\n'), /SHELL requires the arguments to be in JSON form/);
  });
});
