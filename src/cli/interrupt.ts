// Ctrl-C (SIGINT) and SIGTERM for the whole command: the first signal asks the run in progress to
// stop after its current step (it writes a checkpoint and run.json with outcome "stopped"), a plan
// (sweep, scenario) starts no further run, and the command exits with 128 + the signal's number
// (130, 143). A second signal quits at once.

const CODES = { SIGINT: 130, SIGTERM: 143 } as const;
type StopSignal = keyof typeof CODES;

let received: StopSignal | null = null;
let stopCurrent: (() => void) | null = null;

export function installInterrupts(): void {
  for (const sig of Object.keys(CODES) as StopSignal[]) {
    process.on(sig, () => {
      if (received) {
        process.stderr.write(`\nstepsize: ${sig} again: quitting at once\n`);
        process.exit(CODES[received]);
      }
      received = sig;
      process.stderr.write(`\nstepsize: ${sig}: stopping after this step and writing a checkpoint (${sig === 'SIGINT' ? 'Ctrl-C' : 'SIGTERM'} again quits at once)\n`);
      stopCurrent?.();
    });
  }
}

/** While the returned function is not called, a signal stops this run (at once if one came already). */
export function stopOnInterrupt(stop: () => void): () => void {
  stopCurrent = stop;
  if (received) stop();
  return () => {
    if (stopCurrent === stop) stopCurrent = null;
  };
}

export function interrupted(): boolean {
  return received !== null;
}

/** The exit status the command ends with after a signal (130 for SIGINT, 143 for SIGTERM), or null. */
export function interruptExitCode(): number | null {
  return received ? CODES[received] : null;
}
