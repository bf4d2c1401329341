package io.sluice.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class DemoOptionsTest {

    @Test
    void shouldDefaultToPort8080ThatMayFallBackAndRunUntilStopped() {
        DemoOptions o = DemoOptions.parse();
        assertThat(o.port()).isEqualTo(8080);
        assertThat(o.portGiven()).isFalse();
        assertThat(o.bind()).isEqualTo("127.0.0.1");
        assertThat(o.rate()).isEqualTo(10);
        assertThat(o.duration()).isEmpty();
        assertThat(o.dataDir().normalize().toString()).endsWith(File.separator + "target" + File.separator + "demo");
        assertThat(o.serverJar().toString()).endsWith(DemoOptions.SERVER_JAR);
    }

    @Test
    void shouldTakeOptionsWithSpacesOrEquals() {
        DemoOptions o = DemoOptions.parse("--port=0", "--duration", "60", "--rate", "2.5", "--data-dir", "/tmp/x", "--bind=0.0.0.0");
        assertThat(o.port()).isZero();
        assertThat(o.portGiven()).isTrue();
        assertThat(o.duration()).contains(Duration.ofSeconds(60));
        assertThat(o.rate()).isEqualTo(2.5);
        assertThat(o.dataDir()).hasToString("/tmp/x");
        assertThat(o.bind()).isEqualTo("0.0.0.0");
        assertThat(DemoOptions.parse("--help").help()).isTrue();
    }

    @Test
    void shouldNameTheBadArgument() {
        assertThatThrownBy(() -> DemoOptions.parse("--port", "70000")).hasMessage("--port must be a whole number from 0 to 65535, not '70000'");
        assertThatThrownBy(() -> DemoOptions.parse("--duration", "soon")).hasMessageContaining("--duration must be a whole number from 1 up");
        assertThatThrownBy(() -> DemoOptions.parse("--rate")).hasMessage("--rate needs a value");
        assertThatThrownBy(() -> DemoOptions.parse("--colour", "red")).hasMessage("unknown option --colour; see --help");
        assertThatThrownBy(() -> DemoOptions.parse("now")).hasMessageContaining("unexpected argument 'now'");
    }
}
