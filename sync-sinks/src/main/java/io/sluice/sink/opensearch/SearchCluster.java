package io.sluice.sink.opensearch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/**
 * Which search engine answers, from its {@code GET /}: OpenSearch names itself in {@code version.distribution};
 * Elasticsearch has none there and answers with its {@code tagline} "You Know, for Search".
 *
 * @param product OpenSearch, Elasticsearch, or unknown
 * @param version the version number as the cluster gives it, empty when it does not
 */
record SearchCluster(Product product, String version) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The engines the sink tells apart. */
    enum Product { OPENSEARCH, ELASTICSEARCH, UNKNOWN }

    static SearchCluster of(String rootBody) {
        JsonNode root;
        try {
            root = JSON.readTree(rootBody);
        } catch (IOException e) {
            return new SearchCluster(Product.UNKNOWN, "");
        }
        JsonNode version = root == null ? null : root.path("version");
        if (version == null || version.isMissingNode()) {
            return new SearchCluster(Product.UNKNOWN, "");
        }
        String number = version.path("number").asText("");
        if ("opensearch".equalsIgnoreCase(version.path("distribution").asText(""))) {
            return new SearchCluster(Product.OPENSEARCH, number);
        }
        return new SearchCluster(root.path("tagline").asText("").contains("You Know, for Search") ? Product.ELASTICSEARCH : Product.UNKNOWN,
                number);
    }

    /** The major version, 0 when unknown. */
    int major() {
        int dot = version.indexOf('.');
        try {
            return Integer.parseInt(dot < 0 ? version : version.substring(0, dot));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    @Override
    public String toString() {
        return switch (product) {
            case OPENSEARCH -> "OpenSearch " + version;
            case ELASTICSEARCH -> "Elasticsearch " + version;
            case UNKNOWN -> "a search cluster of unknown kind";
        };
    }
}
