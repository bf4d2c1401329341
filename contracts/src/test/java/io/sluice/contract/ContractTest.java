package io.sluice.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.event.ChangeEvent;
import io.sluice.event.Operation;
import io.sluice.event.SourcePosition;
import io.sluice.event.TableId;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

class ContractTest {
    /** The schema of Confluent's blog post on protecting PII with data contracts, with its inline PII tag. */
    static final Schema PATIENT = new Schema.Parser().parse("""
            {"name": "Patient", "namespace": "acme.com", "type": "record", "fields": [
              {"name": "id", "type": "int"},
              {"name": "firstName", "type": "string"},
              {"name": "lastName", "type": "string"},
              {"name": "ssn", "type": "string"},
              {"name": "email", "type": ["null", "string"], "default": null, "confluent:tags": ["PII"]},
              {"name": "fullName", "type": ["null", "string"], "default": null},
              {"name": "price", "type": {"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2}}
            ]}""");

    @Test
    void shouldRunConfluentsSsnLengthConditionAsWritten() throws Exception {
        Contract contract = Contract.compile(RuleSet.of(new Rule("checkSsnLen", null, "CONDITION", "WRITE", "CEL", null, null,
                "size(message.ssn) == 9", null, null, null)), PATIENT, Map.of());

        assertThat(contract.check(create(patient("123456789", "a@b.c", "1.00")))).isInstanceOf(Verdict.Passed.class);
        Verdict failed = contract.check(create(patient("1234", "a@b.c", "1.00")));

        assertThat(failed).isInstanceOf(Verdict.Passed.class); // onFailure NONE: counted, not stopped
        assertThat(((Verdict.Passed) failed).noted()).singleElement().satisfies(f -> {
            assertThat(f.rule()).isEqualTo("checkSsnLen");
            assertThat(f.values()).containsEntry("ssn", "1234");
            assertThat(f.reason()).isEqualTo("false");
        });
    }

    @Test
    void shouldStopAChangeForTheDeadLettersWhenADlqConditionFails() throws Exception {
        Contract contract = Contract.compile(RuleSet.of(new Rule("checkSsnLen", null, "CONDITION", "WRITE", "CEL", null,
                Map.of("dlq.topic", "bad-data"), "size(message.ssn) == 9", null, "DLQ", null)), PATIENT, Map.of());

        Verdict verdict = contract.check(create(patient("12", "a@b.c", "1.00")));

        assertThat(verdict).isInstanceOfSatisfying(Verdict.Stopped.class, s -> {
            assertThat(s.failure().action()).isEqualTo(RuleAction.DLQ);
            assertThat(s.failure().expr()).isEqualTo("size(message.ssn) == 9");
        });
    }

    @Test
    void shouldPopulateAFieldWithConfluentsFullNameTransform() throws Exception {
        Contract contract = Contract.compile(RuleSet.of(Rule.of("populateFullName", "TRANSFORM", "CEL_FIELD",
                "name == 'fullName' ; dyn(message.firstName + ' ' + message.lastName)", null)), PATIENT, Map.of());

        Verdict verdict = contract.check(create(patient("123456789", "a@b.c", "1.00")));

        assertThat(((Verdict.Passed) verdict).event().after().get("fullName").toString()).isEqualTo("Ada Lovelace");
    }

    @Test
    void shouldMaskOnlyTheFieldsWithTheRulesTagInBothImages() throws Exception {
        Rule mask = new Rule("maskPii", null, "TRANSFORM", "WRITE", "CEL_FIELD", List.of("PII"), null, "typeName == 'STRING' ; 'XXXX'", null,
                null, null);
        Contract contract = Contract.compile(RuleSet.of(mask), PATIENT, Map.of());
        GenericRecord before = patient("123456789", "old@b.c", "1.00");
        GenericRecord after = patient("123456789", "new@b.c", "1.00");

        Verdict verdict = contract.check(new ChangeEvent(new TableId("s", "db", "patients"), Operation.UPDATE, null, before, after,
                new SourcePosition("mysql-bin.000001", 4, 0, null, 1, false), Instant.EPOCH, 1));

        ChangeEvent out = ((Verdict.Passed) verdict).event();
        assertThat(out.after().get("email").toString()).isEqualTo("XXXX");
        assertThat(out.before().get("email").toString()).isEqualTo("XXXX");
        assertThat(out.after().get("ssn").toString()).isEqualTo("123456789");
        assertThat(after.get("email").toString()).as("the captured row itself is left alone").isEqualTo("new@b.c");
    }

    @Test
    void shouldMaskAStoppedChangeAndItsFailureWithTheTransformsAfterTheFailingRule() throws Exception {
        Rule check = Rule.of("emailDomain", "CONDITION", "CEL", "message.email.endsWith('@example.com')", "DLQ");
        Rule mask = new Rule("maskPii", null, "TRANSFORM", "WRITE", "CEL_FIELD", List.of("PII"), null, "'XXXX'", null, null, null);
        Contract contract = Contract.compile(RuleSet.of(check, mask), PATIENT, Map.of());

        Verdict verdict = contract.check(create(patient("123456789", "eve@elsewhere.org", "1.00")));

        assertThat(verdict).isInstanceOfSatisfying(Verdict.Stopped.class, s -> {
            assertThat(s.event().after().get("email").toString()).isEqualTo("XXXX");
            assertThat(s.failure().values()).containsEntry("email", "XXXX");
        });
    }

    @Test
    void shouldTagFieldsByMetadataPaths() throws Exception {
        Rule mask = new Rule("maskSsn", null, "TRANSFORM", "WRITE", "CEL_FIELD", List.of("SSN"), null, "'*****' + value.substring(5, 9)",
                null, null, null);
        Contract contract = Contract.compile(RuleSet.of(mask), PATIENT, Map.of("**.ssn", List.of("SSN")));

        Verdict verdict = contract.check(create(patient("123456789", null, "1.00")));

        assertThat(((Verdict.Passed) verdict).event().after().get("ssn").toString()).isEqualTo("*****6789");
    }

    @Test
    void shouldCompareDecimalsAsNumbers() throws Exception {
        Contract contract = Contract.compile(RuleSet.of(Rule.of("positivePrice", "CONDITION", "CEL", "message.price > 0.0", "DLQ")), PATIENT,
                Map.of());

        assertThat(contract.check(create(patient("123456789", null, "0.50")))).isInstanceOf(Verdict.Passed.class);
        assertThat(contract.check(create(patient("123456789", null, "-3.00")))).isInstanceOfSatisfying(Verdict.Stopped.class,
                s -> assertThat(s.failure().values()).containsEntry("price", -3.0));
    }

    @Test
    void shouldTurnAnErrorAtRunTimeIntoAFailureOfTheRule() throws Exception {
        Contract contract = Contract.compile(RuleSet.of(Rule.of("emailShape", "CONDITION", "CEL", "message.email.contains('@')", "DLQ")),
                PATIENT, Map.of());

        Verdict verdict = contract.check(create(patient("123456789", null, "1.00")));

        assertThat(verdict).isInstanceOfSatisfying(Verdict.Stopped.class, s -> assertThat(s.failure().reason()).isNotEqualTo("false"));
    }

    @Test
    void shouldReportEveryProblemOfARuleSetAtOnce() {
        RuleSet bad = new RuleSet(List.of(
                Rule.of("unknownField", "CONDITION", "CEL", "message.sssn == 'x'", "DLQ"),
                Rule.of("wrongType", "CONDITION", "CEL", "message.id == 'one'", "DLQ"),
                Rule.of("notBool", "CONDITION", "CEL", "message.id + 1", null),
                Rule.of("badAction", "CONDITION", "CEL", "message.nope", "EMAIL"),
                Rule.of("badKind", "VALIDATE", "CEL", "true", null),
                Rule.of("encrypt", "TRANSFORM", "ENCRYPT", "", null),
                Rule.of("unknownField", "CONDITION", "CEL", "true", null),
                Rule.of("intToString", "TRANSFORM", "CEL_FIELD", "name == 'id' ; 'x'", null)),
                List.of(Rule.of("upgrade", "TRANSFORM", "JSONATA", "$", null)));

        assertThatThrownBy(() -> Contract.compile(bad, PATIENT, Map.of())).isInstanceOfSatisfying(InvalidRulesException.class, e -> {
            assertThat(e.problems()).extracting(RuleProblem::path).containsExactly(
                    "migrationRules[0]",
                    "domainRules[0] (unknownField).expr",
                    "domainRules[1] (wrongType).expr",
                    "domainRules[2] (notBool).expr",
                    "domainRules[3] (badAction).onFailure",
                    "domainRules[3] (badAction).expr",
                    "domainRules[4] (badKind).kind",
                    "domainRules[5] (encrypt).type",
                    "domainRules[5] (encrypt).expr",
                    "domainRules[6] (unknownField).name",
                    "domainRules[7] (intToString).expr (field id)");
            assertThat(e.problems().get(1).message()).contains("sssn");
        });
    }

    static GenericRecord patient(String ssn, String email, String price) {
        GenericData.Record r = new GenericData.Record(PATIENT);
        r.put("id", 1);
        r.put("firstName", "Ada");
        r.put("lastName", "Lovelace");
        r.put("ssn", ssn);
        r.put("email", email);
        r.put("price", java.nio.ByteBuffer.wrap(new java.math.BigDecimal(price).setScale(2).unscaledValue().toByteArray()));
        return r;
    }

    @Test
    void shouldCompileRulesOnADebeziumEnvelopeAgainstTheRowItCarries() throws Exception {
        Schema source = Schema.createRecord("Source", null, "io.debezium.connector.mariadb", false, List.of(new Schema.Field("file",
                Schema.create(Schema.Type.STRING))));
        Schema nullablePatient = Schema.createUnion(Schema.create(Schema.Type.NULL), PATIENT);
        Schema envelope = Schema.createRecord("Envelope", null, "shop.db.patients", false, List.of(
                new Schema.Field("before", nullablePatient, null, Schema.Field.NULL_DEFAULT_VALUE),
                new Schema.Field("after", nullablePatient, null, Schema.Field.NULL_DEFAULT_VALUE), new Schema.Field("source", source),
                new Schema.Field("op", Schema.create(Schema.Type.STRING))));

        Contract contract = Contract.compile(RuleSet.of(Rule.of("checkSsnLen", "CONDITION", "CEL", "size(message.ssn) == 9", "DLQ")), envelope,
                Map.of());

        assertThat(contract.schema()).isEqualTo(PATIENT);
        assertThat(contract.check(create(patient("1234", "a@b.c", "1.00")))).isInstanceOf(Verdict.Stopped.class);
        assertThatThrownBy(() -> Contract.compile(RuleSet.of(Rule.of("onEnvelope", "CONDITION", "CEL", "message.after.ssn == ''", "DLQ")),
                envelope, Map.of())).isInstanceOf(InvalidRulesException.class);
    }

    static ChangeEvent create(GenericRecord row) {
        return new ChangeEvent(new TableId("s", "db", "patients"), Operation.CREATE, null, null, row, new SourcePosition("mysql-bin.000001", 4, 0, null, 1, false),
                Instant.EPOCH, 1);
    }
}
