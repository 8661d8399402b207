import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ShellWordsError, splitShellWords } from './shell-words.js';

void describe('splitShellWords', () => {
  const cases: Array<[string, string[]]> = [
    ['bundle exec thin -p 3000', ['bundle', 'exec', 'thin', '-p', '3000']],
    ['  a\t b\n c  ', ['a', 'b', 'c']],
    ['', []],
    [`sh -c 'echo "hi there"'`, ['sh', '-c', 'echo "hi there"']],
    [`echo "a b" 'c d'`, ['echo', 'a b', 'c d']],
    [`echo a\\ b`, ['echo', 'a b']],
    [`echo "x\\"y"`, ['echo', 'x"y']],
    [`echo 'x\\y'`, ['echo', 'x\\y']],
    [`echo "\\a"`, ['echo', 'a']],
    [`echo "" x`, ['echo', '', 'x']],
    [`echo '' x`, ['echo', '', 'x']],
    [`a"b c"d`, ['ab cd']],
    ['echo $HOME ${X}', ['echo', '$HOME', '${X}']],
    ['echo $(date +%s) done', ['echo', '$(date +%s)', 'done']],
    ['echo `date +%s` done', ['echo', '`date +%s`', 'done']],
    ['echo a; echo b', ['echo', 'a']],
    ['echo a && echo b', ['echo', 'a']],
    ['echo a | wc', ['echo', 'a']],
    ['cmd 2>&1', ['cmd']],
    ['cmd > out', ['cmd']],
    [`sh -c "a && b; c"`, ['sh', '-c', 'a && b; c']],
    ['héllo wörld', ['héllo', 'wörld']],
  ];
  for (const [input, expected] of cases) {
    void it(`splits ${JSON.stringify(input)}`, () => assert.deepEqual(splitShellWords(input), expected));
  }
  for (const bad of [`echo "unterminated`, `echo 'x`, 'echo x\\', 'echo (x)', 'echo `x']) {
    void it(`rejects ${JSON.stringify(bad)}`, () => {
      assert.throws(() => splitShellWords(bad), (e: unknown) => e instanceof ShellWordsError && e.message === 'invalid command line string');
    });
  }
});
