#!/usr/bin/env node
// Stable entry for the `vibhava` command (the build writes dist/cli.js).
import '../dist/cli.js';
