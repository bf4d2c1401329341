package io.sluice.preflight;

import java.util.List;
import java.util.Optional;

/**
 * Every finding of a preflight check of one source.
 *
 * @param source the source's name
 * @param findings the findings in the order the checks ran
 */
public record PreflightReport(String source, List<Finding> findings) {
    public PreflightReport {
        findings = List.copyOf(findings);
    }

    public boolean hasErrors() {
        return findings.stream().anyMatch(f -> f.severity() == Severity.ERROR);
    }

    /** The finding of a check, if it ran. */
    public Optional<Finding> finding(String check) {
        return findings.stream().filter(f -> f.check().equals(check)).findFirst();
    }

    public List<Finding> errors() {
        return findings.stream().filter(f -> f.severity() == Severity.ERROR).toList();
    }
}
