// File-system-safe names for runs (downloads, run directories).

export function safeName(s: string): string {
  return s.replace(/[^\w.-]+/g, '_').slice(0, 80) || 'run';
}
