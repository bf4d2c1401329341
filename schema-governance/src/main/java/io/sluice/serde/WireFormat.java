package io.sluice.serde;

import java.nio.ByteBuffer;

/**
 * Confluent's wire format: a magic byte 0, the schema id as a 4-byte big-endian integer, then the Avro binary
 * encoding of the value.
 */
public final class WireFormat {
    public static final byte MAGIC = 0;
    public static final int HEADER_LENGTH = 5;

    private WireFormat() {
    }

    /**
     * The schema id of an encoded value.
     *
     * @throws SerdeException if the bytes are not in the wire format
     */
    public static int schemaId(byte[] bytes) {
        if (bytes == null || bytes.length < HEADER_LENGTH) {
            throw new SerdeException("Not Confluent wire format: " + (bytes == null ? "no bytes" : bytes.length + " bytes")
                    + ", at least " + HEADER_LENGTH + " expected");
        }
        if (bytes[0] != MAGIC) {
            throw new SerdeException("Not Confluent wire format: magic byte " + bytes[0] + ", expected 0");
        }
        return ByteBuffer.wrap(bytes, 1, 4).getInt();
    }
}
