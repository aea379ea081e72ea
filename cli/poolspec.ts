#!/usr/bin/env node
/** The poolspec command line: verify, bench, compare, report. */
import { BENCH_HELP, benchCommand } from './bench.js';
import { COMPARE_HELP, compareCommand } from './compare.js';
import { REPORT_HELP, reportCommand } from './report.js';
import { UsageError } from './usage.js';
import { VERIFY_HELP, verifyCommand } from './verify.js';

const HELP = `Usage: poolspec <command> [options]

Commands:
  verify    check pooling backends against the spec (property-based); see poolspec verify --help
  bench     time backends on real-network workloads and scaling sweeps; write results JSON
  compare   compare two bench results files; exit 1 on a significant regression
  report    Markdown + HTML report with charts and the conformance matrix

Run poolspec <command> --help for a command's options.`;

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'verify':
      return verifyCommand(rest);
    case 'bench':
      return benchCommand(rest);
    case 'compare':
      return compareCommand(rest);
    case 'report':
      return reportCommand(rest);
    case undefined:
    case '-h':
    case '--help':
      console.log(HELP);
      return command === undefined ? 2 : 0;
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (e: unknown) => {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      const help: Record<string, string> = { verify: VERIFY_HELP, bench: BENCH_HELP, compare: COMPARE_HELP, report: REPORT_HELP };
      console.error(`poolspec: ${(e as Error).message}\n\n${help[process.argv[2] ?? ''] ?? HELP}`);
      process.exitCode = 2;
      return;
    }
    console.error(e);
    process.exitCode = 2;
  },
);
