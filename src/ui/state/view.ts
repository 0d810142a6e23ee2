// How the charts are drawn: the x axis, the smoothing of the train loss and log scales. The
// Workbench keeps one of these and replaces it on every change (components compare by identity).

export type XAxis = 'step' | 'tokens' | 'time';

export interface ViewPrefs {
  x: XAxis;
  /** TensorBoard-style EMA weight in [0, 0.99]. */
  smoothing: number;
  logY: boolean;
  logX: boolean;
}

export const DEFAULT_VIEW: ViewPrefs = { x: 'step', smoothing: 0.6, logY: false, logX: false };
