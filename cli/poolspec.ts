#!/usr/bin/env node
/** The poolspec command line: `poolspec verify …` (more commands arrive with the benchmark). */
import { UsageError } from './usage.js';
import { VERIFY_HELP, verifyCommand } from './verify.js';

const HELP = `Usage: poolspec <command> [options]

Commands:
  verify    check pooling backends against the spec (property-based); see poolspec verify --help

Run poolspec <command> --help for a command's options.`;

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'verify':
      return verifyCommand(rest);
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
      console.error(`poolspec: ${(e as Error).message}\n\n${process.argv[2] === 'verify' ? VERIFY_HELP : HELP}`);
      process.exitCode = 2;
      return;
    }
    console.error(e);
    process.exitCode = 2;
  },
);
