package io.sluice.review;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

class DdlTranslationTest {
    private static final String CURRENT = "{\"type\":\"record\",\"name\":\"Value\",\"namespace\":\"s.db.t\",\"fields\":[{\"name\":\"id\",\"type\":\"int\"}]}";

    @Test
    void shouldAddColumnsAsCaptureWouldMapThem() {
        Schema s = new Schema.Parser().parse(DdlTranslation.apply(CURRENT, "ALTER TABLE t ADD COLUMN qty INT NOT NULL DEFAULT 1,"
                + " ADD price DECIMAL(10, 2) NOT NULL, ADD COLUMN note VARCHAR(20) COMMENT 'it''s free', ADD big BIGINT UNSIGNED NULL,"
                + " ADD at TIMESTAMP(6) NULL, ADD `day` DATE NOT NULL;"));
        assertThat(s.getField("qty").schema().getType()).isEqualTo(Schema.Type.INT);
        assertThat(s.getField("qty").defaultVal()).isEqualTo(1);
        assertThat(s.getField("price").schema().getLogicalType()).isEqualTo(LogicalTypes.decimal(10, 2));
        assertThat(s.getField("note").schema().getTypes().get(0).getType()).isEqualTo(Schema.Type.NULL);
        assertThat(s.getField("note").doc()).isEqualTo("it's free");
        assertThat(s.getField("big").schema().getTypes().get(1).getLogicalType()).isEqualTo(LogicalTypes.decimal(20, 0));
        assertThat(s.getField("at").schema().getTypes().get(1).getLogicalType()).isEqualTo(LogicalTypes.timestampMicros());
        assertThat(s.getField("day").schema().getLogicalType()).isEqualTo(LogicalTypes.date());
    }

    @Test
    void shouldRefuseWhatItCannotTranslate() {
        assertThatThrownBy(() -> DdlTranslation.apply(CURRENT, "ALTER TABLE t DROP COLUMN id")).isInstanceOf(ReviewException.class)
                .hasMessageContaining("only ADD COLUMN");
        assertThatThrownBy(() -> DdlTranslation.apply(CURRENT, "CREATE TABLE x (a INT)")).hasMessageContaining("expected ALTER TABLE");
        assertThatThrownBy(() -> DdlTranslation.apply(CURRENT, "ALTER TABLE t ADD g POINT")).hasMessageContaining("POINT");
        assertThatThrownBy(() -> DdlTranslation.apply(CURRENT, "ALTER TABLE t ADD n INT DEFAULT 'x'")).hasMessageContaining("does not fit");
    }
}
