// How the charts and the run table are drawn: the x axis (automatic: tokens when the shown runs differ
// in effective batch), the smoothing of the train loss, log scales, grouping and colouring by a config
// key, the band a group draws, which validation loss the table shows, and its baseline run. The
// Workbench keeps one of these and replaces it on every change (components compare by identity).

import type { ConfigKey } from '../../config/config';
import type { Band, ValueKind } from '../charts/compare';

export type XAxis = 'step' | 'tokens' | 'time';

export interface ViewPrefs {
  /** 'auto': tokens when the shown runs differ in effective batch (batch × accumulation), else steps. */
  x: XAxis | 'auto';
  /** TensorBoard-style EMA weight in [0, 0.99]. */
  smoothing: number;
  logY: boolean;
  logX: boolean;
  /** Fold the shown runs by this key's value into a mean line with a band (null: one line per run). */
  groupBy: ConfigKey | null;
  band: Band;
  /** Colour the runs by this key's value (null: one colour per run). */
  colorBy: ConfigKey | null;
  /** Which validation loss the run table shows. */
  value: ValueKind;
  /** The run every other run's difference is taken from (null: none). */
  baseline: string | null;
}

export const DEFAULT_VIEW: ViewPrefs = { x: 'auto', smoothing: 0.6, logY: false, logX: false, groupBy: null, band: 'minmax', colorBy: null, value: 'last', baseline: null };
