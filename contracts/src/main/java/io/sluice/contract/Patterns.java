package io.sluice.contract;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import dev.cel.common.CelErrorCode;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelEvaluationExceptionBuilder;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * CEL's {@code matches}: RE2 syntax, true when the pattern matches any part of the string, as the CEL specification
 * says; each pattern is compiled once (the rules' patterns are few and constant). Thread-safe.
 */
final class Patterns {
    private static final int MAX = 1_000;
    private static final Map<String, Pattern> COMPILED = new ConcurrentHashMap<>();

    private Patterns() {
    }

    static boolean find(String text, String regex) throws CelEvaluationException {
        Pattern p = COMPILED.get(regex);
        if (p == null) {
            try {
                p = Pattern.compile(regex);
            } catch (PatternSyntaxException e) {
                throw CelEvaluationExceptionBuilder.newBuilder("%s", e.getMessage()).setErrorCode(CelErrorCode.INVALID_ARGUMENT).setCause(e)
                        .build();
            }
            if (COMPILED.size() >= MAX) {
                COMPILED.clear(); // patterns built from row values would otherwise grow without end
            }
            COMPILED.put(regex, p);
        }
        return p.matcher(text).find();
    }
}
