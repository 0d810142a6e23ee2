// Saves a file the page offers (an export, a run's weights) as a browser download.
import type { Download } from './state/run-files';

export function download(file: Download): void {
  const blob = new Blob([typeof file.data === 'string' ? file.data : new Uint8Array(file.data)], { type: file.type });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = file.name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
