package io.sluice.contract;

/**
 * A problem of a rule set found before it runs.
 *
 * @param path where: {@code domainRules[2] (checkPrice).expr}
 * @param message what is wrong and what is allowed
 */
public record RuleProblem(String path, String message) {
    @Override
    public String toString() {
        return path + ": " + message;
    }
}
