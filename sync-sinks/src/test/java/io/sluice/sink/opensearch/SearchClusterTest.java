package io.sluice.sink.opensearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.sluice.sink.FatalSinkException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Telling the engines apart, and opening with the least rights, against the answers Elasticsearch's and OpenSearch's
 * documentation shows (no Elasticsearch server runs on the build machine; the real-server suite runs OpenSearch).
 */
class SearchClusterTest {
    /** Elasticsearch 8's GET / (Elasticsearch Guide, "Root API"). */
    private static final String ELASTICSEARCH_8 = """
            {"name": "instance-0000000000", "cluster_name": "my_cluster", "cluster_uuid": "5QaxoN0pRZuOmWSxstBBwQ",
             "version": {"number": "8.17.0", "build_flavor": "default", "build_type": "docker", "lucene_version": "9.12.0",
               "minimum_wire_compatibility_version": "7.17.0", "minimum_index_compatibility_version": "7.0.0"},
             "tagline": "You Know, for Search"}""";
    /** OpenSearch 2's GET /. */
    private static final String OPENSEARCH_2 = """
            {"name": "node-1", "cluster_name": "opensearch", "version": {"distribution": "opensearch", "number": "2.19.1",
             "build_type": "tar", "lucene_version": "9.12.1"}, "tagline": "The OpenSearch Project: https://opensearch.org/"}""";
    /** Elasticsearch's answer to a user without cluster:monitor/main (a security_exception, HTTP 403). */
    private static final String FORBIDDEN = """
            {"error": {"root_cause": [{"type": "security_exception", "reason": "action [cluster:monitor/main] is unauthorized for user
             [sluice] with effective roles [sluice_writer], this action is granted by the cluster privileges [monitor,manage,all]"}],
             "type": "security_exception", "reason": "action [cluster:monitor/main] is unauthorized for user [sluice]"}, "status": 403}""";

    @Test
    void shouldTellElasticsearchFromOpenSearch() {
        assertThat(SearchCluster.of(ELASTICSEARCH_8)).isEqualTo(new SearchCluster(SearchCluster.Product.ELASTICSEARCH, "8.17.0"));
        assertThat(SearchCluster.of(ELASTICSEARCH_8).major()).isEqualTo(8);
        assertThat(SearchCluster.of(OPENSEARCH_2)).isEqualTo(new SearchCluster(SearchCluster.Product.OPENSEARCH, "2.19.1"));
        assertThat(SearchCluster.of("not json").product()).isEqualTo(SearchCluster.Product.UNKNOWN);
    }

    @Test
    void shouldOpenForAUserThatMayNotReadTheClusterButRefuseWrongCredentials() throws Exception {
        assertThat(openAgainst(403, FORBIDDEN)).isNull();
        assertThat(openAgainst(200, ELASTICSEARCH_8)).isNull();
        assertThatThrownBy(() -> openAgainst(401, "{\"error\": \"unauthorized\", \"status\": 401}")).isInstanceOf(FatalSinkException.class)
                .hasMessageContaining("refused the credentials");
    }

    /** Opens a sink against a server that answers GET / with this; null when it opened. */
    private static Object openAgainst(int status, String body) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort();
            new OpenSearchSink("search", OpenSearchSinkConfig.parse("search", Map.of(OpenSearchSinkConfig.URLS, url, "target", "t-{table}")))
                    .open();
            return null;
        } finally {
            server.stop(0);
        }
    }
}
