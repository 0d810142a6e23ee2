// The bundled corpora read from node_modules (Node only; the build serves them to the browser).
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { assembleSotu, CORPORA, type CorpusId } from '../data/corpora';

const require = createRequire(import.meta.url);

function packageDir(pkg: string): string {
  return dirname(require.resolve(`${pkg}/package.json`));
}

export function loadCorpus(id: CorpusId): Uint8Array {
  const dir = join(packageDir(CORPORA[id].package), 'data');
  if (id === 'moby-dick') return new Uint8Array(readFileSync(join(dir, 'data.txt')));
  const files = readdirSync(dir).filter((f) => f.endsWith('.txt')).map((name) => ({ name, text: readFileSync(join(dir, name), 'utf8') }));
  return new TextEncoder().encode(assembleSotu(files));
}
