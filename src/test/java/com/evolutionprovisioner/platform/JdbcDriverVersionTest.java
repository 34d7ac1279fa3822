package com.evolutionprovisioner.platform;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.postgresql.util.DriverInfo;

/** The WAR's PostgreSQL driver must stay past the published advisory's range (42.7.4 to 42.7.11). */
class JdbcDriverVersionTest {

    @Test
    void theDriverIsPastTheAdvisoryRange() {
        assertThat(DriverInfo.MAJOR_VERSION * 1_000_000 + DriverInfo.MINOR_VERSION * 1_000 + DriverInfo.PATCH_VERSION)
                .as(DriverInfo.DRIVER_VERSION)
                .isGreaterThan(42_007_011);
    }
}
