package io.sluice.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/** {@code sluice verify}: reserved; no server offers verify yet, so it exits 5 without contacting one. */
@Command(name = "verify", description = "Compares a table with a target (not available yet: exits 5).")
final class VerifyCommand implements Callable<Integer> {

    @Unmatched
    List<String> arguments;

    @Override
    public Integer call() {
        throw new CliException(ExitCode.NOT_AVAILABLE, "verify is not available in this version of Sluice yet (it arrives with backfills,"
                + " issue 6); to compare a target today, count and sample its keys against the source table by hand");
    }
}
