package io.sluice.avro;

/** A Connect schema or value that has no Avro equivalent in Sluice's mapping. */
public final class UnsupportedSchemaException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UnsupportedSchemaException(String message) {
        super(message);
    }
}
