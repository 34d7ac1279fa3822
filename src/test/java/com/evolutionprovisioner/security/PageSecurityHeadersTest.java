package com.evolutionprovisioner.security;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PageSecurityHeadersTest {

    @Test
    void withoutTheSettingOnlyTheSameOriginMayFrameThePairingPage() {
        assertThat(PageSecurityHeaders.frameAncestors("")).isEqualTo("'self'");
    }

    @Test
    void wellFormedOriginsAreAddedAndAnythingThatCouldExtendThePolicyIsDropped() {
        assertThat(PageSecurityHeaders.frameAncestors("https://app.example.com, http://localhost:3000 *; script-src *"))
                .isEqualTo("'self' https://app.example.com http://localhost:3000");
    }
}
