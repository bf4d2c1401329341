package io.sluice.admin.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.security.identity.SecurityIdentity;
import io.sluice.admin.SluiceConfig;
import io.sluice.admin.auth.Role;
import io.sluice.contract.Metadata;
import io.sluice.contract.RuleSet;
import io.sluice.registry.CompatibilityLevel;
import io.sluice.registry.CompatibilityResult;
import io.sluice.registry.RegistryError;
import io.sluice.registry.RegistryException;
import io.sluice.registry.SchemaRegistry;
import io.sluice.registry.SubjectVersion;
import io.sluice.review.GateDecision;
import io.sluice.review.ReviewGate;
import io.sluice.review.SchemaReviews;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Arrays;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The Confluent Schema Registry REST API, served under {@code /registry}: same paths, JSON shapes, content type,
 * HTTP statuses and {@code error_code}s, so that Confluent's clients and tools work against it.
 *
 * <p>Bodies are read as text and parsed here, so that malformed JSON, wrong types and unknown fields get
 * Confluent's error shape (422 with code 422 or 42201) instead of a framework error page.
 */
@Path("/registry")
@Tag(name = "registry", description = "Confluent-compatible schema registry")
@Produces({RegistryMediaTypes.V1_JSON, RegistryMediaTypes.JSON, MediaType.APPLICATION_JSON})
@Consumes({RegistryMediaTypes.V1_JSON, RegistryMediaTypes.JSON, MediaType.APPLICATION_JSON, MediaType.WILDCARD})
@RolesAllowed(Role.READ)
public class RegistryResource {
    private static final Set<String> SCHEMA_REQUEST_FIELDS = Set.of("schema", "schemaType", "references", "metadata", "ruleSet", "version", "id");

    @Inject
    SchemaRegistry registry;

    @Inject
    ObjectMapper json;

    @Inject
    SluiceConfig config;

    @Inject
    SchemaReviews reviews;

    @Inject
    SecurityIdentity identity;

    @GET
    @Path("/schemas/types")
    public Response schemaTypes() {
        return ok(json.createArrayNode().add("AVRO"));
    }

    @GET
    @Path("/subjects")
    public Response subjects(@QueryParam("deleted") @DefaultValue("false") boolean deleted) {
        return call(() -> {
            ArrayNode out = json.createArrayNode();
            registry.subjects(deleted).forEach(out::add);
            return ok(out);
        });
    }

    @GET
    @Path("/subjects/{subject}/versions")
    public Response versions(@PathParam("subject") String subject, @QueryParam("deleted") @DefaultValue("false") boolean deleted) {
        return call(() -> {
            ArrayNode out = json.createArrayNode();
            registry.versionNumbers(subject, deleted).forEach(out::add);
            return ok(out);
        });
    }

    /**
     * Registers a schema. An admin's registration is a decision of its own; anyone else's (a producer, a Kafka
     * Connect converter) goes through schema review like a capture does: under a subject's review policy a new
     * schema becomes a proposal, and the call answers 409 until a reviewer approves it, so that a converter retries
     * and nothing past the change is written.
     */
    @RolesAllowed(Role.OPERATE)
    @POST
    @Path("/subjects/{subject}/versions")
    public Response register(@PathParam("subject") String subject, String body) {
        return call(() -> {
            String text = schemaFrom(body);
            RuleSet ruleSet = contractPart(body, "ruleSet", RuleSet.class);
            Metadata metadata = contractPart(body, "metadata", Metadata.class);
            if (!identity.hasRole(Role.ADMINISTER)) {
                Schema parsed = null;
                try {
                    parsed = new Schema.Parser().parse(text);
                } catch (SchemaParseException e) {
                    // registry.register below names the problem in Confluent's shape
                }
                if (parsed != null && new ReviewGate(reviews).checkSubject(subject, parsed,
                        "registry:" + identity.getPrincipal().getName()) instanceof GateDecision.Wait w) {
                    throw new RegistryException(RegistryError.INCOMPATIBLE_SCHEMA, w.reason() + " Writes under " + subject
                            + " wait until a reviewer approves it.");
                }
            }
            SubjectVersion v = registry.register(subject, text, null, ruleSet, metadata);
            return ok(json.createObjectNode().put("id", v.id()));
        });
    }

    @POST
    @Path("/subjects/{subject}")
    public Response lookup(@PathParam("subject") String subject, @QueryParam("deleted") @DefaultValue("false") boolean deleted, String body) {
        return call(() -> ok(versionNode(registry.lookup(subject, schemaFrom(body), deleted))));
    }

    @GET
    @Path("/subjects/{subject}/versions/{version}")
    public Response version(@PathParam("subject") String subject, @PathParam("version") String version,
            @QueryParam("deleted") @DefaultValue("false") boolean deleted) {
        return call(() -> ok(versionNode(registry.version(subject, SchemaRegistry.parseVersion(version), deleted))));
    }

    @GET
    @Path("/subjects/{subject}/versions/{version}/schema")
    public Response versionSchema(@PathParam("subject") String subject, @PathParam("version") String version) {
        return call(() -> ok(registry.version(subject, SchemaRegistry.parseVersion(version), false).schema()));
    }

    @RolesAllowed(Role.ADMINISTER)
    @DELETE
    @Path("/subjects/{subject}/versions/{version}")
    public Response deleteVersion(@PathParam("subject") String subject, @PathParam("version") String version,
            @QueryParam("permanent") @DefaultValue("false") boolean permanent) {
        return call(() -> ok(json.getNodeFactory().numberNode(registry.deleteVersion(subject, SchemaRegistry.parseVersion(version), permanent))));
    }

    @RolesAllowed(Role.ADMINISTER)
    @DELETE
    @Path("/subjects/{subject}")
    public Response deleteSubject(@PathParam("subject") String subject, @QueryParam("permanent") @DefaultValue("false") boolean permanent) {
        return call(() -> {
            ArrayNode out = json.createArrayNode();
            registry.deleteSubject(subject, permanent).forEach(out::add);
            return ok(out);
        });
    }

    @GET
    @Path("/schemas/ids/{id}")
    public Response schemaById(@PathParam("id") String id) {
        return call(() -> ok(json.createObjectNode().put("schema", registry.schema(parseId(id)))));
    }

    @GET
    @Path("/schemas/ids/{id}/schema")
    public Response rawSchemaById(@PathParam("id") String id) {
        return call(() -> ok(registry.schema(parseId(id))));
    }

    @GET
    @Path("/schemas/ids/{id}/versions")
    public Response versionsOfId(@PathParam("id") String id, @QueryParam("deleted") @DefaultValue("false") boolean deleted) {
        return call(() -> {
            ArrayNode out = json.createArrayNode();
            for (SubjectVersion v : registry.versionsOf(parseId(id), deleted)) {
                out.add(json.createObjectNode().put("subject", v.subject()).put("version", v.version()));
            }
            return ok(out);
        });
    }

    @POST
    @Path("/compatibility/subjects/{subject}/versions/{version}")
    public Response compatibleWithVersion(@PathParam("subject") String subject, @PathParam("version") String version,
            @QueryParam("verbose") @DefaultValue("false") boolean verbose, String body) {
        return call(() -> {
            int v = SchemaRegistry.parseVersion(version);
            String schema = schemaFrom(body);
            Integer against = v == -1 ? registry.version(subject, -1, false).version() : Integer.valueOf(v);
            return compatibility(registry.testCompatibility(subject, against, schema), verbose);
        });
    }

    @POST
    @Path("/compatibility/subjects/{subject}/versions")
    public Response compatibleWithAll(@PathParam("subject") String subject, @QueryParam("verbose") @DefaultValue("false") boolean verbose,
            String body) {
        return call(() -> compatibility(registry.testCompatibility(subject, null, schemaFrom(body)), verbose));
    }

    @GET
    @Path("/config")
    public Response globalConfig() {
        return call(() -> ok(json.createObjectNode().put("compatibilityLevel", registry.globalLevel().name())));
    }

    @RolesAllowed(Role.ADMINISTER)
    @PUT
    @Path("/config")
    public Response setGlobalConfig(String body) {
        return call(() -> {
            CompatibilityLevel level = levelFrom(body);
            registry.setLevel(null, level);
            return ok(json.createObjectNode().put("compatibility", level.name()));
        });
    }

    @RolesAllowed(Role.ADMINISTER)
    @DELETE
    @Path("/config")
    public Response deleteGlobalConfig() {
        return call(() -> ok(json.createObjectNode().put("compatibilityLevel", registry.deleteLevel(null).name())));
    }

    @GET
    @Path("/config/{subject}")
    public Response subjectConfig(@PathParam("subject") String subject, @QueryParam("defaultToGlobal") @DefaultValue("false") boolean defaultToGlobal) {
        return call(() -> {
            CompatibilityLevel level = defaultToGlobal ? registry.effectiveLevel(subject) : registry.subjectLevel(subject)
                    .orElseThrow(() -> new RegistryException(RegistryError.SUBJECT_LEVEL_COMPATIBILITY_NOT_CONFIGURED,
                            "Subject '" + subject + "' does not have subject-level compatibility configured"));
            return ok(json.createObjectNode().put("compatibilityLevel", level.name()));
        });
    }

    @RolesAllowed(Role.ADMINISTER)
    @PUT
    @Path("/config/{subject}")
    public Response setSubjectConfig(@PathParam("subject") String subject, String body) {
        return call(() -> {
            CompatibilityLevel level = levelFrom(body);
            registry.setLevel(subject, level);
            return ok(json.createObjectNode().put("compatibility", level.name()));
        });
    }

    @RolesAllowed(Role.ADMINISTER)
    @DELETE
    @Path("/config/{subject}")
    public Response deleteSubjectConfig(@PathParam("subject") String subject) {
        return call(() -> ok(json.createObjectNode().put("compatibilityLevel", registry.deleteLevel(subject).name())));
    }

    // ---- helpers ----

    private Response compatibility(CompatibilityResult result, boolean verbose) {
        ObjectNode out = json.createObjectNode().put("is_compatible", result.compatible());
        if (verbose) {
            ArrayNode messages = out.putArray("messages");
            result.messages().forEach(messages::add);
        }
        return ok(out);
    }

    private ObjectNode versionNode(SubjectVersion v) {
        ObjectNode out = json.createObjectNode().put("subject", v.subject()).put("id", v.id()).put("version", v.version()).put("schema",
                v.schema());
        if (!v.metadata().isEmpty()) {
            out.set("metadata", json.valueToTree(v.metadata()));
        }
        if (!v.ruleSet().isEmpty()) {
            out.set("ruleSet", json.valueToTree(v.ruleSet()));
        }
        return out;
    }

    /**
     * A request's {@code ruleSet} or {@code metadata}, or null when it has none (the subject's latest version's then
     * carries over).
     */
    private <T> T contractPart(String body, String field, Class<T> type) {
        JsonNode node = parseObject(body).get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            throw new RegistryException(RegistryError.INVALID_RULE_SET, "Invalid " + field + ": a JSON object was expected, as Confluent's"
                    + " registry takes it.");
        }
        try {
            return json.treeToValue(node, type);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new RegistryException(RegistryError.INVALID_RULE_SET, "Invalid " + field + ": "
                    + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
        }
    }

    private String schemaFrom(String body) {
        JsonNode node = parseObject(body);
        node.fieldNames().forEachRemaining(name -> {
            if (!SCHEMA_REQUEST_FIELDS.contains(name)) {
                throw new RegistryException(RegistryError.UNPROCESSABLE, "Unrecognized field: " + name);
            }
        });
        JsonNode type = node.get("schemaType");
        if (type != null && !type.isNull() && !"AVRO".equals(type.asText())) {
            throw new RegistryException(RegistryError.INVALID_SCHEMA, "Invalid schema: schemaType '" + type.asText()
                    + "' is not supported; Sluice's registry serves AVRO only.");
        }
        JsonNode references = node.get("references");
        if (references != null && references.isArray() && !references.isEmpty()) {
            throw new RegistryException(RegistryError.INVALID_SCHEMA, "Invalid schema: schema references are not supported.");
        }
        JsonNode schema = node.get("schema");
        if (schema == null || !schema.isTextual()) {
            throw new RegistryException(RegistryError.INVALID_SCHEMA, "Invalid schema: the request needs a 'schema' field holding the"
                    + " schema as a JSON string.");
        }
        if (schema.asText().length() > config.registry().maxSchemaLength()) {
            throw new RegistryException(RegistryError.INVALID_SCHEMA, "Invalid schema: it has " + schema.asText().length()
                    + " characters, more than the " + config.registry().maxSchemaLength() + " allowed (sluice.registry.max-schema-length).");
        }
        return schema.asText();
    }

    private CompatibilityLevel levelFrom(String body) {
        JsonNode node = parseObject(body);
        JsonNode level = node.get("compatibility");
        if (level == null) {
            level = node.get("compatibilityLevel");
        }
        if (level == null || !level.isTextual()) {
            throw new RegistryException(RegistryError.INVALID_COMPATIBILITY_LEVEL, "Invalid compatibility level: the request needs a"
                    + " 'compatibility' field, one of " + Arrays.toString(CompatibilityLevel.values()));
        }
        return CompatibilityLevel.parse(level.asText());
    }

    private JsonNode parseObject(String body) {
        if (body == null || body.isBlank()) {
            throw new RegistryException(RegistryError.BAD_REQUEST, "The request has no body; a JSON object was expected.");
        }
        try {
            JsonNode node = json.readTree(body);
            if (node == null || !node.isObject()) {
                throw new RegistryException(RegistryError.BAD_REQUEST, "The request body must be a JSON object.");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new RegistryException(RegistryError.BAD_REQUEST, "The request body is not valid JSON: " + e.getOriginalMessage());
        }
    }

    private static long parseId(String id) {
        try {
            long value = Long.parseLong(id);
            if (value > 0) {
                return value;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new RegistryException(RegistryError.SCHEMA_NOT_FOUND, "Schema " + id + " not found");
    }

    private Response call(Supplier<Response> work) {
        try {
            return work.get();
        } catch (RegistryException e) {
            return RegistryErrors.of(e);
        }
    }

    private static Response ok(Object entity) {
        return Response.ok(entity.toString(), RegistryMediaTypes.V1_JSON).build();
    }

    private static Response ok(String raw) {
        return Response.ok(raw, RegistryMediaTypes.V1_JSON).build();
    }

}
