package io.sluice.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.embedded.MariaDbServer;
import io.sluice.event.ChangeEvent;
import io.sluice.registry.CompatibilityLevel;
import io.sluice.registry.SchemaRegistry;
import io.sluice.registry.SubjectVersion;
import io.sluice.review.AuditEntry;
import io.sluice.review.FieldChange;
import io.sluice.review.Proposal;
import io.sluice.review.ReviewGate;
import io.sluice.review.SchemaReviews;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Capture under the registry-backed review gate, on a real MariaDB, with the metadata in an H2 file database. */
class ReviewGateIT {
    private static final String SUBJECT = "reviewed.review_db.orders-value";

    @TempDir
    Path dir;

    private SchemaReviews reviews(Path dbFile) {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:file:" + dbFile.toAbsolutePath() + ";AUTO_SERVER=FALSE");
        Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
        DataSource dataSource = ds;
        return new SchemaReviews(dataSource, new SchemaRegistry(dataSource, Clock.systemUTC()), Clock.systemUTC());
    }

    @Test
    void shouldPauseAtAnIncompatibleChangeAndResumeOnApprovalWhileCompatibleAndPlannedChangesPass() throws Exception {
        MariaDbServer db = MariaDbServer.shared();
        CaptureFixtures.createCaptureUser(db);
        db.recreateDatabase("review_db");
        db.execute("CREATE TABLE review_db.orders (id INT PRIMARY KEY, total INT NOT NULL)");
        SchemaReviews reviews = reviews(dir.resolve("meta"));
        SchemaRegistry registry = reviews.registry();
        CollectingConsumer consumer = new CollectingConsumer();
        SourceConfig config = SourceConfig.parse(CaptureFixtures.sourceProps(db, "reviewed", "review_db", dir.resolve("data")));
        try (CaptureWorker worker = new CaptureWorker(config, consumer, new ReviewGate(reviews), Clock.systemUTC())) {
            worker.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> worker.status().state() instanceof CaptureState.Streaming);
            db.execute("INSERT INTO review_db.orders VALUES (1, 10)", "INSERT INTO review_db.orders VALUES (2, 20)");
            await().atMost(Duration.ofSeconds(30)).until(() -> consumer.changes("orders").size() == 2);
            assertThat(registry.versionNumbers(SUBJECT, false)).containsExactly(1);

            // A compatible change passes under the default 'auto' policy, without a proposal.
            db.execute("ALTER TABLE review_db.orders ADD COLUMN y INT NULL", "INSERT INTO review_db.orders VALUES (3, 30, 3)");
            await().atMost(Duration.ofSeconds(30)).until(() -> consumer.changes("orders").size() == 3);
            assertThat(reviews.list(null)).isEmpty();
            assertThat(registry.versionNumbers(SUBJECT, false)).containsExactly(1, 2);

            // An incompatible one (a required column without default) pauses capture with a proposal.
            db.execute("ALTER TABLE review_db.orders ADD COLUMN x INT NOT NULL",
                    "INSERT INTO review_db.orders VALUES (4, 40, 4, 44)", "INSERT INTO review_db.orders VALUES (5, 50, 5, 55)");
            await().atMost(Duration.ofSeconds(30)).until(() -> worker.status().state() instanceof CaptureState.Paused);
            Proposal proposal = reviews.list(Proposal.Status.PENDING).get(0);
            assertThat(proposal.subject()).isEqualTo(SUBJECT);
            assertThat(proposal.ddl()).containsIgnoringCase("ADD COLUMN x INT NOT NULL");
            assertThat(proposal.diff()).contains(new FieldChange(FieldChange.Kind.ADDED, "x", null, "int (no default)"));
            assertThat(proposal.verdicts().get("BACKWARD").compatible()).isFalse();
            assertThat(proposal.verdicts().get("BACKWARD").messages()).anyMatch(m -> m.contains("READER_FIELD_MISSING_DEFAULT_VALUE"));
            assertThat(proposal.verdicts().get("FORWARD").compatible()).isTrue();
            assertThat(((CaptureState.Paused) worker.status().state()).reason()).contains("proposal " + proposal.id());
            Thread.sleep(1000);
            assertThat(consumer.changes("orders")).hasSize(3);

            reviews.approve(proposal.id(), "alice", "consumers were updated first", CompatibilityLevel.FORWARD);

            await().atMost(Duration.ofSeconds(30)).until(() -> consumer.changes("orders").size() == 5);
            List<ChangeEvent> resumed = consumer.changes("orders").subList(3, 5);
            assertThat(resumed).extracting(c -> c.after().get("id")).containsExactly(4, 5);
            SubjectVersion v3 = registry.lookup(SUBJECT, resumed.get(0).after().getSchema().toString(), false);
            assertThat(v3.version()).isEqualTo(3);
            assertThat(v3.id()).isEqualTo(reviews.find(proposal.id()).registeredSchemaId());

            // A change filed and approved ahead of time passes without a pause.
            String planned = withRequiredIntField(registry.version(SUBJECT, -1, false).schema(), "z");
            Proposal plan = reviews.propose(SUBJECT, planned, "ALTER TABLE orders ADD COLUMN z INT NOT NULL", Proposal.Origin.PLANNED, "bob");
            reviews.approve(plan.id(), "alice", "planned for release 42", CompatibilityLevel.FORWARD);
            db.execute("ALTER TABLE review_db.orders ADD COLUMN z INT NOT NULL", "INSERT INTO review_db.orders VALUES (6, 60, 6, 66, 666)");
            await().atMost(Duration.ofSeconds(30)).until(() -> consumer.changes("orders").size() == 6);
            assertThat(reviews.list(Proposal.Status.PENDING)).isEmpty();
            assertThat(registry.versionNumbers(SUBJECT, false)).containsExactly(1, 2, 3, 4);

            // The same, filed as the DDL itself: Sluice translates it into the schema capture will produce.
            Proposal byDdl = reviews.proposeDdl(SUBJECT, "ALTER TABLE review_db.orders ADD COLUMN w INT NOT NULL", "bob");
            reviews.approve(byDdl.id(), "alice", "planned for release 43", CompatibilityLevel.FORWARD);
            db.execute("ALTER TABLE review_db.orders ADD COLUMN w INT NOT NULL", "INSERT INTO review_db.orders VALUES (7, 70, 7, 77, 777, 7777)");
            await().atMost(Duration.ofSeconds(30)).until(() -> consumer.changes("orders").size() == 7);
            assertThat(reviews.list(Proposal.Status.PENDING)).isEmpty();
            assertThat(registry.versionNumbers(SUBJECT, false)).containsExactly(1, 2, 3, 4, 5);

            List<AuditEntry> audit = reviews.audit(50);
            assertThat(audit).extracting(AuditEntry::action).contains("proposal.create", "proposal.approve", "schema.auto-register",
                    "schema.register-planned");
            assertThat(audit).filteredOn(a -> a.action().equals("proposal.approve")).extracting(AuditEntry::actor).containsOnly("alice");
        }
    }

    @Test
    void shouldStillBePendingAndPausedAfterARestartAndLoseNothing() throws Exception {
        MariaDbServer db = MariaDbServer.shared();
        CaptureFixtures.createCaptureUser(db);
        db.recreateDatabase("review_restart");
        db.execute("CREATE TABLE review_restart.orders (id INT PRIMARY KEY, total INT NOT NULL)");
        var props = CaptureFixtures.sourceProps(db, "reviewed2", "review_restart", dir.resolve("data"));
        Path meta = dir.resolve("meta");
        CollectingConsumer first = new CollectingConsumer();
        try (CaptureWorker worker = new CaptureWorker(SourceConfig.parse(props), first, new ReviewGate(reviews(meta)), Clock.systemUTC())) {
            worker.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> worker.status().state() instanceof CaptureState.Streaming);
            db.execute("INSERT INTO review_restart.orders VALUES (1, 10)", "ALTER TABLE review_restart.orders ADD COLUMN x INT NOT NULL",
                    "INSERT INTO review_restart.orders VALUES (2, 20, 2)");
            await().atMost(Duration.ofSeconds(30)).until(() -> worker.status().state() instanceof CaptureState.Paused);
        }
        db.execute("INSERT INTO review_restart.orders VALUES (3, 30, 3)");

        // A new "server": new registry and review objects over the same metadata files, a new worker.
        SchemaReviews restarted = reviews(meta);
        CollectingConsumer second = new CollectingConsumer();
        try (CaptureWorker worker = new CaptureWorker(SourceConfig.parse(props), second, new ReviewGate(restarted), Clock.systemUTC())) {
            worker.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> worker.status().state() instanceof CaptureState.Paused);
            List<Proposal> pending = restarted.list(Proposal.Status.PENDING);
            assertThat(pending).hasSize(1);
            assertThat(second.changes("orders")).isEmpty();

            restarted.approve(pending.get(0).id(), "carol", "ok after restart", CompatibilityLevel.NONE);

            await().atMost(Duration.ofSeconds(30)).until(() -> second.changes("orders").stream().anyMatch(c -> c.after().get("id").equals(3)));
            assertThat(first.changes("orders")).extracting(c -> c.after().get("id")).containsExactly(1);
            assertThat(second.changes("orders")).extracting(c -> c.after().get("id")).containsExactly(2, 3);
        }
    }

    /** The schema with one more field {@code name: int} without default, written as a person would. */
    private static String withRequiredIntField(String schema, String name) throws Exception {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = (ObjectNode) json.readTree(schema);
        ObjectNode field = json.createObjectNode();
        field.put("name", name);
        field.put("type", "int");
        ((ArrayNode) root.get("fields")).add(field);
        return json.writeValueAsString(root);
    }
}
