package com.evolutionprovisioner.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LogThrottleTest {

    private final AtomicLong now = new AtomicLong(1_000);
    private final LogThrottle throttle = new LogThrottle(Duration.ofSeconds(10), now::get);
    private final Logger logger = Logger.getLogger(LogThrottleTest.class.getName() + ".captured");
    private final List<String> lines = new ArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            lines.add(record.getMessage());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void captureLines() {
        logger.setUseParentHandlers(false);
        logger.setLevel(Level.ALL);
        logger.addHandler(capture);
    }

    @AfterEach
    void release() {
        logger.removeHandler(capture);
    }

    @Test
    void aFloodOfOneReasonLogsOneLineThenASummaryAfterTheInterval() {
        for (int i = 0; i < 1_000; i++) {
            throttle.log(logger, Level.INFO, "bad token", () -> "401: bad token");
        }
        now.addAndGet(Duration.ofSeconds(10).toNanos());
        throttle.log(logger, Level.INFO, "bad token", () -> "401: bad token");

        assertThat(lines).containsExactly("401: bad token",
                "401: bad token [and 999 more like it since the last such line]");
    }

    @Test
    void eachReasonHasItsOwnAllowance() {
        throttle.log(logger, Level.INFO, "missing token", () -> "401: missing token");
        throttle.log(logger, Level.INFO, "bad token", () -> "401: bad token");
        throttle.log(logger, Level.INFO, "missing token", () -> "401: missing token");

        assertThat(lines).containsExactly("401: missing token", "401: bad token");
    }

    @Test
    void justBeforeTheIntervalEndsTheLineIsStillHeldBack() {
        throttle.log(logger, Level.INFO, "k", () -> "first");
        now.addAndGet(Duration.ofSeconds(10).toNanos() - 1);
        throttle.log(logger, Level.INFO, "k", () -> "second");

        assertThat(lines).containsExactly("first");
    }

    @Test
    void aDisabledLevelIsNeitherLoggedNorCounted() {
        logger.setLevel(Level.WARNING);
        throttle.log(logger, Level.INFO, "k", () -> "quiet");
        logger.setLevel(Level.ALL);
        throttle.log(logger, Level.INFO, "k", () -> "heard");

        assertThat(lines).containsExactly("heard");
    }
}
