package io.sluice.admin.runtime.connect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.admin.source.SourceState;
import org.junit.jupiter.api.Test;

/** A source's state from what Connect's {@code GET /connectors?expand=status} answers (shapes as Kafka 4.1 sends them). */
class ConnectStatusTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode statuses(String sourceState, String sourceTask, String sinkTask, String trace) throws Exception {
        return JSON.readTree("""
                {"sluice.shop": {"status": {"name": "sluice.shop", "connector": {"state": "%s", "worker_id": "w1:8083"},
                   "tasks": [{"id": 0, "state": "%s", "worker_id": "w1:8083"}], "type": "source"}},
                 "sluice.shop.cache": {"status": {"name": "sluice.shop.cache", "connector": {"state": "RUNNING", "worker_id": "w2:8083"},
                   "tasks": [{"id": 0, "state": "%s", "worker_id": "w2:8083", "trace": "%s"}], "type": "sink"}},
                 "sluice.shop2": {"status": {"name": "sluice.shop2", "connector": {"state": "FAILED", "worker_id": "w1:8083",
                   "trace": "not ours"}, "tasks": [], "type": "source"}}}
                """.formatted(sourceState, sourceTask, sinkTask, trace));
    }

    @Test
    void shouldStreamWhenEveryConnectorAndTaskOfTheSourceRuns() throws Exception {
        ConnectStatus d = ConnectStatus.derive(statuses("RUNNING", "RUNNING", "RUNNING", ""), "shop", true);
        assertThat(d.state()).isEqualTo(SourceState.STREAMING); // sluice.shop2's failure belongs to another source
        assertThat(d.reason()).isNull();
    }

    @Test
    void shouldNameTheFailedTaskItsWorkerAndTheFirstLineOfItsTrace() throws Exception {
        ConnectStatus d = ConnectStatus.derive(statuses("RUNNING", "RUNNING", "FAILED",
                "org.apache.kafka.connect.errors.ConnectException: sink 'cache' refused a record\\n\\tat io.sluice.X.put(X.java:1)"), "shop", true);
        assertThat(d.state()).isEqualTo(SourceState.FAILED);
        assertThat(d.reason()).isEqualTo("task 0 of connector sluice.shop.cache failed on w2:8083: org.apache.kafka.connect.errors.ConnectException:"
                + " sink 'cache' refused a record");
        assertThat(d.fix()).contains("POST /api/v1/sources/shop/start");
    }

    @Test
    void shouldReportAPausedSourceConnectorAndTasksNotYetRunning() throws Exception {
        assertThat(ConnectStatus.derive(statuses("PAUSED", "PAUSED", "RUNNING", ""), "shop", true).state()).isEqualTo(SourceState.PAUSED);
        assertThat(ConnectStatus.derive(statuses("STOPPED", "RUNNING", "RUNNING", ""), "shop", true).state()).isEqualTo(SourceState.STOPPED);
        ConnectStatus starting = ConnectStatus.derive(statuses("RUNNING", "UNASSIGNED", "RUNNING", ""), "shop", true);
        assertThat(starting.state()).isEqualTo(SourceState.STARTING);
        assertThat(starting.reason()).isEqualTo("task 0 of connector sluice.shop is UNASSIGNED");
    }

    @Test
    void shouldSayWhenTheSourceHasNoConnector() throws Exception {
        assertThat(ConnectStatus.derive(JSON.readTree("{}"), "shop", true).reason())
                .isEqualTo("connector sluice.shop does not exist in Kafka Connect");
        assertThat(ConnectStatus.derive(JSON.readTree("{}"), "shop", false).reason()).isEqualTo("no pipeline reads this source");
    }
}
