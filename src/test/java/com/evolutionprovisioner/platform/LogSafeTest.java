package com.evolutionprovisioner.platform;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogSafeTest {

    @Test
    void lineBreaksCannotForgeASecondLogLine() {
        String forged = "qrcode.updated\r\nSEVERE: Provisioning user admin FAILED";

        String safe = LogSafe.quote(forged);

        assertThat(safe).isEqualTo("\"qrcode.updated\\r\\nSEVERE: Provisioning user admin FAILED\"");
        assertThat(safe).doesNotContain("\r", "\n");
    }

    @Test
    void tabsQuotesBackslashesAndOtherControlsAreEscaped() {
        String hostile = "a\tb\"c\\d\u0000e\u001Bf\u007Fg\u0085h\u009Bi";

        assertThat(LogSafe.quote(hostile)).isEqualTo("\"a\\tb\\\"c\\\\d\\u0000e\\u001Bf\\u007Fg\\u0085h\\u009Bi\"");
    }

    @Test
    void unicodeLineSeparatorsAndBidiOverridesAreEscapedButLettersAndEmojiAreKept() {
        String text = "état\u2028x\u2029y\u202Egnp.exe\u200Bz 😀 日本";

        assertThat(LogSafe.quote(text))
                .isEqualTo("\"état\\u2028x\\u2029y\\u202Egnp.exe\\u200Bz 😀 日本\"");
    }

    @Test
    void longTextIsCutToAHundredCharactersWithAnEllipsis() {
        String megabyte = "x".repeat(1_000_000);

        String safe = LogSafe.quote(megabyte);

        assertThat(safe).isEqualTo("\"" + "x".repeat(100) + "…\"");
    }

    @Test
    void textOfExactlyTheLimitIsNotCut() {
        assertThat(LogSafe.quote("y".repeat(100))).isEqualTo("\"" + "y".repeat(100) + "\"");
    }

    @Test
    void theCutNeverSplitsASurrogatePair() {
        String emoji = "😀".repeat(150);

        String safe = LogSafe.quote(emoji);

        assertThat(safe).isEqualTo("\"" + "😀".repeat(100) + "…\"");
        assertThat(safe.codePoints().filter(codePoint -> Character.getType(codePoint) == Character.SURROGATE)).isEmpty();
    }

    @Test
    void aLoneSurrogateIsEscaped() {
        assertThat(LogSafe.quote("a\uD83Db")).isEqualTo("\"a\\uD83Db\"");
    }

    @Test
    void nullIsTheBareWordNull() {
        assertThat(LogSafe.quote(null)).isEqualTo("null");
    }
}
