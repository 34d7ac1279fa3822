package com.evolutionprovisioner.platform.work;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.ejb.TimerConfig;
import jakarta.ejb.TimerService;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SafetyNetTimerTest {

    private final List<Object[]> created = new ArrayList<>();

    private final TimerService timers = (TimerService) Proxy.newProxyInstance(TimerService.class.getClassLoader(),
            new Class<?>[] {TimerService.class}, (proxy, method, args) -> {
                if (!method.getName().equals("createIntervalTimer") || !(args[0] instanceof Long)) {
                    throw new UnsupportedOperationException(method.getName());
                }
                created.add(args);
                return null;
            });

    @Test
    void firesEveryPeriodFromOnePeriodOnWithoutPersistence() {
        SafetyNetTimer.start(timers, "some-poller", Duration.ofSeconds(20));

        assertThat(created).hasSize(1);
        Object[] args = created.get(0);
        assertThat(args[0]).isEqualTo(20_000L);
        assertThat(args[1]).isEqualTo(20_000L);
        TimerConfig config = (TimerConfig) args[2];
        assertThat(config.getInfo()).isEqualTo("some-poller");
        assertThat(config.isPersistent()).as("every node runs its own poller").isFalse();
    }

    @Test
    void refusesAPeriodThatIsNotPositive() {
        assertThatThrownBy(() -> SafetyNetTimer.start(timers, "some-poller", Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("some-poller");
        assertThat(created).isEmpty();
    }
}
