// WGSL files are imported as text (Vite's `?raw`), in the browser, in Vitest and in the CLI bundle.
declare module '*.wgsl?raw' {
  const source: string;
  export default source;
}

declare module '*.css?inline' {
  const css: string;
  export default css;
}
