// Preloaded with `node --require`: prints the process's peak resident memory when it exits,
// for `npm run bench` to read (tsc ends with process.exit, which still fires "exit").
"use strict";
process.on("exit", () => {
  process.stderr.write(`\nmax-rss-kb=${process.resourceUsage().maxRSS}\n`);
});
