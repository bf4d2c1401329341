package io.sluice.view;

/**
 * One thing wrong with a view's definition.
 *
 * @param path where in the definition, for example {@code relations[1].on.customer_id}
 * @param message what is wrong and how to fix it
 */
public record ViewProblem(String path, String message) {
}
