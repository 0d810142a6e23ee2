// The training worker: exposes the TrainingService over Comlink. Nothing else lives here.
import { expose } from 'comlink';
import { TrainingService } from '../src/worker/service';
import { VERSION } from '../src/version';

expose(new TrainingService(() => (self.navigator as Navigator & { gpu?: GPU }).gpu, VERSION));
