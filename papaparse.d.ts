// The part of papaparse (https://www.papaparse.com) that src/runs/csv.ts uses: unparse and the
// synchronous string parse. Declared here rather than taken from @types/papaparse, which pulls in
// Node's types (its stream input) and would open the engine's type check (tsconfig.engine.json) to
// every Node global. Shapes follow papaparse 5.7's documentation.
declare module 'papaparse' {
  export interface UnparseConfig {
    quotes?: boolean | boolean[];
    delimiter?: string;
    newline?: string;
    header?: boolean;
    /** Prefixes a string cell that starts with =, +, -, @, tab or CR with ' (spreadsheet formula injection). */
    escapeFormulae?: boolean | RegExp;
  }
  export interface ParseError {
    type: string;
    code: string;
    message: string;
    row?: number;
    /** Character offset in the input, for some errors. */
    index?: number;
  }
  export interface ParseResult<T> {
    data: T[];
    errors: ParseError[];
    meta: { fields?: string[]; delimiter: string; linebreak: string };
  }
  export interface ParseConfig {
    header?: boolean;
    skipEmptyLines?: boolean | 'greedy';
    dynamicTyping?: boolean;
    delimiter?: string;
  }
  export function unparse(data: { fields: string[]; data: unknown[][] } | unknown[][], config?: UnparseConfig): string;
  export function parse<T = string[]>(input: string, config?: ParseConfig): ParseResult<T>;
  const Papa: { unparse: typeof unparse; parse: typeof parse };
  export default Papa;
}
