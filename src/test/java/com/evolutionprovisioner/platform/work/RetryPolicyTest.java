package com.evolutionprovisioner.platform.work;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.evolutionprovisioner.platform.DurationConverter;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Properties;
import org.eclipse.microprofile.config.Config;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    @Test
    void theFirstFailureWaitsTheFirstBackoffAndEachFurtherOneTwiceAsLong() {
        RetryPolicy policy = new RetryPolicy(5, Duration.ofSeconds(2), Duration.ofMinutes(5));

        assertThat(policy.backoffAfter(1)).isEqualTo(Duration.ofSeconds(2));
        assertThat(policy.backoffAfter(2)).isEqualTo(Duration.ofSeconds(4));
        assertThat(policy.backoffAfter(3)).isEqualTo(Duration.ofSeconds(8));
        assertThat(policy.backoffAfter(4)).isEqualTo(Duration.ofSeconds(16));
    }

    @Test
    void theBackoffNeverExceedsTheCap() {
        RetryPolicy policy = new RetryPolicy(100, Duration.ofSeconds(30), Duration.ofMinutes(5));

        assertThat(policy.backoffAfter(4)).isEqualTo(Duration.ofSeconds(240));
        assertThat(policy.backoffAfter(5)).as("480 s, capped").isEqualTo(Duration.ofMinutes(5));
        assertThat(policy.backoffAfter(64)).as("no overflow after many failures").isEqualTo(Duration.ofMinutes(5));
        assertThat(policy.backoffAfter(Integer.MAX_VALUE)).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void aCapBelowTheFirstBackoffWins() {
        assertThat(new RetryPolicy(3, Duration.ofSeconds(30), Duration.ofSeconds(3)).backoffAfter(1))
                .isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void theScheduleHoldsTheBackoffForEachFailureCountUntilItStopsChanging() {
        RetryPolicy policy = new RetryPolicy(3, Duration.ofSeconds(30), Duration.ofMinutes(5));

        List<Duration> schedule = policy.schedule();

        assertThat(schedule).startsWith(Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(120),
                Duration.ofSeconds(240), Duration.ofMinutes(5)).endsWith(Duration.ofMinutes(5));
        for (int failures = 1; failures <= schedule.size(); failures++) {
            assertThat(schedule.get(failures - 1)).as("failure %d", failures).isEqualTo(policy.backoffAfter(failures));
        }
        RetryPolicy uncapped = policy.uncapped();
        assertThat(uncapped.backoffAfter(uncapped.schedule().size() + 1)).isEqualTo(uncapped.schedule().get(uncapped.schedule().size() - 1));
    }

    @Test
    void uncappedKeepsDoublingPastTheCapWithTheSameAttempts() {
        RetryPolicy uncapped = new RetryPolicy(3, Duration.ofSeconds(30), Duration.ofMinutes(5)).uncapped();

        assertThat(uncapped.maxAttempts()).isEqualTo(3);
        assertThat(uncapped.backoffAfter(5)).isEqualTo(Duration.ofSeconds(480));
        assertThat(uncapped.backoffAfter(9)).isEqualTo(Duration.ofSeconds(30L << 8));
    }

    @Test
    void anItemGetsExactlyMaxAttempts() {
        RetryPolicy policy = new RetryPolicy(3, Duration.ofSeconds(1), Duration.ofSeconds(10));

        assertThat(policy.allowsAnotherAfter(0)).isTrue();
        assertThat(policy.allowsAnotherAfter(2)).isTrue();
        assertThat(policy.allowsAnotherAfter(3)).isFalse();
        assertThat(policy.allowsAnotherAfter(4)).isFalse();
    }

    @Test
    void refusesPoliciesThatCannotWork() {
        assertThatThrownBy(() -> new RetryPolicy(0, Duration.ofSeconds(1), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not 0");
        assertThatThrownBy(() -> new RetryPolicy(1, Duration.ofSeconds(-1), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void readsItsSettingsUnderAPrefix() {
        Config config = config(Map.of("work.max.attempts", "4", "work.retry.backoff", "500ms", "work.max.backoff", "1s",
                "other.cap", "2s"));

        assertThat(RetryPolicy.fromConfig(config, "work"))
                .isEqualTo(new RetryPolicy(4, Duration.ofMillis(500), Duration.ofSeconds(1)));
        assertThat(RetryPolicy.fromConfig(config, "work", "other.cap"))
                .isEqualTo(new RetryPolicy(4, Duration.ofMillis(500), Duration.ofSeconds(2)));
    }

    @Test
    void theShippedDefaultsKeepEachPipelinesBehaviour() throws IOException {
        Config defaults = config(shippedDefaults());

        RetryPolicy webhooks = RetryPolicy.fromConfig(defaults, "webhook.apply");
        assertThat(webhooks.maxAttempts()).isEqualTo(5);
        // Before these settings existed: 1 << attempts seconds after the attempts-th failure.
        for (int failures = 1; failures < 5; failures++) {
            assertThat(webhooks.backoffAfter(failures)).isEqualTo(Duration.ofSeconds(1L << failures));
        }

        RetryPolicy provisioning = RetryPolicy.fromConfig(defaults, "queue", "queue.unavailable.max.backoff");
        assertThat(provisioning).isEqualTo(new RetryPolicy(3, Duration.ofSeconds(30), Duration.ofMinutes(5)));
    }

    private static Map<String, String> shippedDefaults() throws IOException {
        Properties properties = new Properties();
        try (InputStream in = RetryPolicyTest.class.getResourceAsStream("/META-INF/microprofile-config.properties")) {
            properties.load(in);
        }
        Map<String, String> values = new HashMap<>();
        properties.stringPropertyNames().forEach(key -> values.put(key, properties.getProperty(key)));
        return values;
    }

    /** A Config answering getValue from a map, converting as the application's converters do. */
    private static Config config(Map<String, String> values) {
        return (Config) Proxy.newProxyInstance(Config.class.getClassLoader(), new Class<?>[] {Config.class},
                (proxy, method, args) -> {
                    if (!method.getName().equals("getValue")) {
                        throw new UnsupportedOperationException(method.getName());
                    }
                    String value = values.get((String) args[0]);
                    if (value == null) {
                        throw new NoSuchElementException((String) args[0]);
                    }
                    return args[1] == Duration.class ? new DurationConverter().convert(value) : Integer.valueOf(value);
                });
    }
}
