package io.sluice.admin.registry;

/** The content types Confluent Schema Registry speaks. */
public final class RegistryMediaTypes {
    public static final String V1_JSON = "application/vnd.schemaregistry.v1+json";
    public static final String JSON = "application/vnd.schemaregistry+json";

    private RegistryMediaTypes() {
    }
}
