// The version stamped into run records (from package.json at build time; 'dev' when not built).
declare const __STEPSIZE_VERSION__: string | undefined;

export const VERSION: string = typeof __STEPSIZE_VERSION__ === 'string' ? __STEPSIZE_VERSION__ : 'dev';
