// The training worker: exposes the TrainingService over Comlink. Nothing else lives here.
import { expose } from 'comlink';
import { TrainingService } from '../src/worker/service';
import { VERSION } from '../src/version';

async function load(url: string): Promise<Uint8Array> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: ${r.status} ${r.statusText}`);
  return new Uint8Array(await r.arrayBuffer());
}

expose(new TrainingService(() => (self.navigator as Navigator & { gpu?: GPU }).gpu, VERSION, load));
