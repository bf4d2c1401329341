package io.sluice.config;

/**
 * One problem of a configuration.
 *
 * @param key the configuration key
 * @param value the value as given (secrets masked), or null when missing
 * @param expected what is allowed, in words, with the fix where it is not obvious
 */
public record ConfigProblem(String key, String value, String expected) {
    @Override
    public String toString() {
        return "'" + key + "'" + (value == null ? " is missing" : " = '" + value + "' is invalid") + ": " + expected;
    }
}
