package io.sluice.sink.redis;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import redis.clients.jedis.exceptions.JedisDataException;

class RedisScriptTest {

    @Test
    void shouldRetryWhileARestartedServerLoadsItsDataset() {
        assertThat(RedisScript.isTransient(new JedisDataException("LOADING Redis is loading the dataset in memory"))).isTrue();
        assertThat(RedisScript.isTransient(new JedisDataException("BUSY Redis is busy running a script"))).isTrue();
        assertThat(RedisScript.scriptError("@user_script: 10: -OOM command not allowed when used memory > 'maxmemory'."))
                .isEqualTo("OOM command not allowed when used memory > 'maxmemory'.");
        assertThat(RedisScript.scriptError("WRONGTYPE Operation against a key")).isEqualTo("WRONGTYPE Operation against a key");
        assertThat(RedisScript.isTransient("OOM command not allowed when used memory > 'maxmemory'.")).isTrue();
        assertThat(RedisScript.isTransient("READONLY You can't write against a read only replica.")).isTrue();
        assertThat(RedisScript.isTransient("WRONGTYPE Operation against a key holding the wrong kind of value")).isFalse();
        assertThat(RedisScript.isTransient(new JedisDataException("WRONGPASS invalid username-password pair"))).isFalse();
        assertThat(RedisScript.isTransient(new JedisDataException((String) null))).isFalse();
    }

    @Test
    void shouldPadVersionsToNineteenDigitsSoThatTheScriptComparesThemAsStrings() {
        for (long v : new long[] {0, 7, 1L << 37, Long.MAX_VALUE}) {
            assertThat(RedisScript.paddedVersion(v)).isEqualTo(String.format("%019d", v)).hasSize(19);
        }
        assertThat(RedisScript.paddedVersion(99)).isLessThan(RedisScript.paddedVersion(100));
    }
}
