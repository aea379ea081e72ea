#!/usr/bin/env node
/**
 * The poolspec command line: verify, merge, bench, compare, report. A command's module is loaded only when it runs, so
 * that the process which hands verify and bench to a filtered child (cli/stderr-filter.ts) loads nothing else.
 */
import { mayCreatePlatformBackend, runWithFilteredStderr, shouldFilterStderr, useParentStderr } from './stderr-filter.js';
import { UsageError } from './usage.js';

const HELP = `Usage: poolspec <command> [options]

Commands:
  verify    check pooling backends against the spec (property-based); see poolspec verify --help
  merge     combine the results of the shards of one verify run (verify --shard I/N --json)
  bench     time backends on real-network workloads and scaling sweeps; write results JSON
  compare   compare two bench results files; exit 1 on a significant regression
  report    Markdown + HTML report with charts and the conformance matrix

Run poolspec <command> --help for a command's options.`;

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  // verify and bench may load the webgpu backend, whose Dawn prints from native code while it looks for adapters.
  if (mayCreatePlatformBackend(command, rest) && shouldFilterStderr()) return runWithFilteredStderr();
  switch (command) {
    case 'verify':
      return (await import('./verify.js')).verifyCommand(rest);
    case 'merge':
      return (await import('./merge.js')).mergeCommand(rest);
    case 'bench':
      return (await import('./bench.js')).benchCommand(rest);
    case 'compare':
      return (await import('./compare.js')).compareCommand(rest);
    case 'report':
      return (await import('./report.js')).reportCommand(rest);
    case undefined:
    case '-h':
    case '--help':
      console.log(HELP);
      return command === undefined ? 2 : 0;
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

/** The usage text shown with a usage error in `command`. */
async function helpFor(command: string | undefined): Promise<string> {
  switch (command) {
    case 'verify': return (await import('./verify.js')).VERIFY_HELP;
    case 'merge': return (await import('./merge.js')).MERGE_HELP;
    case 'bench': return (await import('./bench.js')).BENCH_HELP;
    case 'compare': return (await import('./compare.js')).COMPARE_HELP;
    case 'report': return (await import('./report.js')).REPORT_HELP;
    default: return HELP;
  }
}

useParentStderr();
main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  async (e: unknown) => {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`poolspec: ${(e as Error).message}\n\n${await helpFor(process.argv[2])}`);
      process.exitCode = 2;
      return;
    }
    console.error(e);
    process.exitCode = 2;
  },
);
