// Styles shared by the panels: buttons, small tables, field errors.
import { css } from 'lit';

export const controlStyles = css`
  button { font: inherit; padding: 0.3rem 0.75rem; border-radius: 6px; border: 1px solid #bbb; background: white; cursor: pointer; }
  button.primary { background: #1f6feb; border-color: #1f6feb; color: white; font-weight: 600; }
  button:disabled { opacity: 0.45; cursor: default; }
  input[type='text'], input[type='number'], select { font: inherit; font-size: 0.85rem; padding: 0.15rem 0.3rem; }
  .err { color: #b00020; font-size: 0.78rem; }
  .muted { color: #666; font-size: 0.8rem; }
  table { border-collapse: collapse; font-size: 0.8rem; width: 100%; }
  th, td { text-align: left; padding: 0.2rem 0.45rem; border-bottom: 1px solid #eee; }
  th { font-weight: 600; color: #444; }
  td.num { font-variant-numeric: tabular-nums; text-align: right; }
`;
