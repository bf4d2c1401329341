package io.sluice.admin.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.metadata.MetadataException;
import io.sluice.registry.RegistryError;
import io.sluice.registry.RegistryException;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;

/** Confluent's error body: {@code {"error_code": 40401, "message": "..."}}, with its content type. */
public final class RegistryErrors {
    private static final Logger LOG = Logger.getLogger(RegistryErrors.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private RegistryErrors() {
    }

    /** The response for a registry exception. */
    public static Response of(RegistryException e) {
        return body(e.error().httpStatus(), e.error().errorCode(), e.getMessage());
    }

    /** The metadata database failed: logged, and answered as Confluent's store error without details. */
    public static Response storeError(MetadataException e) {
        // Details stay in the log: the client learns that the server failed, not how.
        LOG.error("metadata database failed", e);
        return body(RegistryError.STORE_ERROR.httpStatus(), RegistryError.STORE_ERROR.errorCode(), "Error in the backend data store");
    }

    /** A Confluent error response. */
    public static Response body(int status, int code, String message) {
        ObjectNode node = JSON.createObjectNode();
        node.put("error_code", code);
        node.put("message", message);
        return Response.status(status).type(RegistryMediaTypes.V1_JSON).entity(node.toString()).build();
    }
}
