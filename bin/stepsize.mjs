#!/usr/bin/env node
// The installed `stepsize` command: the CLI bundle built by `npm run build:cli`.
import '../dist/cli/stepsize.mjs';
