package io.sluice.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each of the seven levels against typical evolutions. The expected verdicts are written out by hand (from Avro's
 * resolution rules) and also recomputed from Avro's own {@link SchemaCompatibility}, so that the test fails
 * both when Sluice's mapping of levels to reader/writer checks is wrong and when the expectations are.
 */
class CompatibilityMatrixTest {

    private static String record(String fields) {
        return "{\"type\":\"record\",\"name\":\"Row\",\"namespace\":\"t\",\"fields\":[" + fields + "]}";
    }

    private static final String A = "{\"name\":\"a\",\"type\":\"int\"}";

    /** name, old schema, new schema, backward expected, forward expected. */
    static Stream<Arguments> evolutions() {
        return Stream.of(
                Arguments.of("add field with default", record(A), record(A + ",{\"name\":\"b\",\"type\":\"int\",\"default\":0}"), true, true),
                Arguments.of("add field without default", record(A), record(A + ",{\"name\":\"b\",\"type\":\"int\"}"), false, true),
                Arguments.of("remove field with default", record(A + ",{\"name\":\"b\",\"type\":\"int\",\"default\":0}"), record(A), true, true),
                Arguments.of("remove field without default", record(A + ",{\"name\":\"b\",\"type\":\"int\"}"), record(A), true, false),
                Arguments.of("rename with alias", record(A + ",{\"name\":\"b\",\"type\":\"int\"}"),
                        record(A + ",{\"name\":\"c\",\"type\":\"int\",\"aliases\":[\"b\"]}"), true, false),
                Arguments.of("int to long", record(A), record("{\"name\":\"a\",\"type\":\"long\"}"), true, false),
                Arguments.of("float to double", record("{\"name\":\"a\",\"type\":\"float\"}"), record("{\"name\":\"a\",\"type\":\"double\"}"), true, false),
                Arguments.of("enum symbol added", record(enumField("\"S\",\"M\"")), record(enumField("\"S\",\"M\",\"L\"")), true, false),
                Arguments.of("enum symbol removed", record(enumField("\"S\",\"M\",\"L\"")), record(enumField("\"S\",\"M\"")), false, true),
                Arguments.of("union widened", record("{\"name\":\"a\",\"type\":[\"null\",\"int\"]}"),
                        record("{\"name\":\"a\",\"type\":[\"null\",\"int\",\"string\"]}"), true, false),
                Arguments.of("union narrowed", record("{\"name\":\"a\",\"type\":[\"null\",\"int\",\"string\"]}"),
                        record("{\"name\":\"a\",\"type\":[\"null\",\"int\"]}"), false, true),
                Arguments.of("nested record gains a field without default", record(nested("{\"name\":\"x\",\"type\":\"int\"}")),
                        record(nested("{\"name\":\"x\",\"type\":\"int\"},{\"name\":\"y\",\"type\":\"int\"}")), false, true));
    }

    private static String enumField(String symbols) {
        return "{\"name\":\"size\",\"type\":{\"type\":\"enum\",\"name\":\"Size\",\"symbols\":[" + symbols + "]}}";
    }

    private static String nested(String fields) {
        return "{\"name\":\"inner\",\"type\":{\"type\":\"record\",\"name\":\"Inner\",\"fields\":[" + fields + "]}}";
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("evolutions")
    void shouldMatchAvrosVerdictsForEveryLevel(String name, String oldText, String newText, boolean backward, boolean forward) {
        Schema older = new Schema.Parser().parse(oldText);
        Schema newer = new Schema.Parser().parse(newText);
        // Avro's own verdicts agree with the written expectations.
        assertThat(compatible(newer, older)).as("Avro: new reads old").isEqualTo(backward);
        assertThat(compatible(older, newer)).as("Avro: old reads new").isEqualTo(forward);

        for (CompatibilityLevel level : CompatibilityLevel.values()) {
            boolean expected = switch (level) {
                case NONE -> true;
                case BACKWARD, BACKWARD_TRANSITIVE -> backward;
                case FORWARD, FORWARD_TRANSITIVE -> forward;
                case FULL, FULL_TRANSITIVE -> backward && forward;
            };
            CompatibilityResult result = Compatibility.check(level, newer, List.of(older));
            assertThat(result.compatible()).as(level.name()).isEqualTo(expected);
            assertThat(result.messages().isEmpty()).as(level + " messages").isEqualTo(expected);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("transitive")
    void shouldCheckTransitiveLevelsAgainstEveryEarlierVersion(CompatibilityLevel level, boolean expected) {
        Schema v1 = new Schema.Parser().parse(record(A));
        Schema v2 = new Schema.Parser().parse(record(A + ",{\"name\":\"b\",\"type\":\"int\",\"default\":0}"));
        Schema v3 = new Schema.Parser().parse(record(A + ",{\"name\":\"b\",\"type\":\"int\"}"));
        CompatibilityResult result = Compatibility.check(level, v3, List.of(v1, v2));
        assertThat(result.compatible()).isEqualTo(expected);
        if (!expected) {
            assertThat(result.messages()).anyMatch(m -> m.contains("version 1 of 2") && m.contains("READER_FIELD_MISSING_DEFAULT_VALUE"));
        }
    }

    static Stream<Arguments> transitive() {
        return Stream.of(
                Arguments.of(CompatibilityLevel.BACKWARD, true),
                Arguments.of(CompatibilityLevel.BACKWARD_TRANSITIVE, false),
                Arguments.of(CompatibilityLevel.FORWARD, true),
                Arguments.of(CompatibilityLevel.FORWARD_TRANSITIVE, true),
                Arguments.of(CompatibilityLevel.FULL, true),
                Arguments.of(CompatibilityLevel.FULL_TRANSITIVE, false),
                Arguments.of(CompatibilityLevel.NONE, true));
    }

    private static boolean compatible(Schema reader, Schema writer) {
        return SchemaCompatibility.checkReaderWriterCompatibility(reader, writer).getType()
                == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE;
    }
}
