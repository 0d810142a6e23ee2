// Early stopping on the validation loss, as Keras and Hugging Face's EarlyStoppingCallback do it.

/** Stops after `patience` evaluations in a row without a new best validation loss (0: never). */
export class EarlyStopping {
  best = Infinity;
  sinceBest = 0;

  constructor(readonly patience: number) {}

  observe(valLoss: number): void {
    if (valLoss < this.best) {
      this.best = valLoss;
      this.sinceBest = 0;
    } else {
      this.sinceBest++;
    }
  }

  get stop(): boolean {
    return this.patience > 0 && this.sinceBest >= this.patience;
  }
}
