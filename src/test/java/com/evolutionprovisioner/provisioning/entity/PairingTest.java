package com.evolutionprovisioner.provisioning.entity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.evolutionprovisioner.evolution.entity.ConnectionState;
import org.junit.jupiter.api.Test;

/** The QR code budget as the owner is told of it, and the phone numbers a pairing code may be asked for. */
class PairingTest {

    @Test
    void theLastCodeOfASessionExhaustsTheBudget() {
        assertThat(Pairing.qrCode("data:image/png;base64,A", "2@a", 29, 30, null).qrBudgetExhausted()).isFalse();
        assertThat(Pairing.qrCode("data:image/png;base64,A", "2@a", 30, 30, null).qrBudgetExhausted()).isTrue();
    }

    @Test
    void onlyARefusedStateWithoutACodeSaysTheBudgetRanOut() {
        assertThat(Pairing.withoutQrCode(ConnectionState.REFUSED, 30).qrBudgetExhausted()).isTrue();
        assertThat(Pairing.withoutQrCode(ConnectionState.OPEN, 30).qrBudgetExhausted()).isFalse();
        assertThat(Pairing.withoutQrCode(ConnectionState.CLOSE, 30).count()).isNull();
    }

    @Test
    void phoneNumbersAreEightToFifteenDigits() {
        assertThat(new PhoneNumber("5511987654321").digits()).isEqualTo("5511987654321");
        assertThat(new PhoneNumber("12345678").digits()).isEqualTo("12345678");
        for (String wrong : new String[] {"+5511987654321", "55 11 98765", "1234567", "1234567890123456", "55119876abc", ""}) {
            assertThatThrownBy(() -> new PhoneNumber(wrong)).as(wrong)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("digits only");
        }
    }
}
