package com.evolutionprovisioner.evolution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.evolutionprovisioner.evolution.entity.ConnectResult;
import com.evolutionprovisioner.evolution.entity.ConnectionState;
import com.evolutionprovisioner.evolution.entity.EvolutionException;
import jakarta.json.Json;
import jakarta.json.JsonValue;
import java.io.StringReader;
import org.junit.jupiter.api.Test;

/** Connect's answers in each shape Evolution gives them (instance.controller.ts connectToWhatsapp, by release). */
class ConnectResultTest {

    @Test
    void anOpenInstanceAnswersTheConnectionStateShape() {
        ConnectResult result = ConnectResult.parse(json("{\"instance\":{\"instanceName\":\"evp-a\",\"state\":\"open\"}}"));

        assertThat(result).isEqualTo(new ConnectResult(ConnectionState.OPEN, null, null, 0, null));
        assertThat(result.hasQrCode()).isFalse();
    }

    @Test
    void aQrCodeKeepsItsDataUrlCodeCountAndPairingCode() {
        ConnectResult result = ConnectResult.parse(json("""
                {"pairingCode":"WZYEH1YY","code":"2@abc,def","base64":"data:image/png;base64,iVBOR","count":3}"""));

        assertThat(result).isEqualTo(new ConnectResult(ConnectionState.CONNECTING, "data:image/png;base64,iVBOR", "2@abc,def", 3, "WZYEH1YY"));
    }

    @Test
    void aBareBase64BecomesAPngDataUrl() {
        ConnectResult result = ConnectResult.parse(json("{\"pairingCode\":null,\"code\":\"2@x\",\"base64\":\"iVBOR\",\"count\":1}"));

        assertThat(result.qrDataUrl()).isEqualTo("data:image/png;base64,iVBOR");
        assertThat(result.pairingCode()).isNull();
    }

    @Test
    void olderServersWrapTheCodeWithTheInstanceStatus() {
        ConnectResult result = ConnectResult.parse(json("""
                {"instance":{"instanceName":"evp-a","status":"connecting"},
                 "qrcode":{"pairingCode":null,"code":"2@y","base64":"data:image/png;base64,AAA","count":2}}"""));

        assertThat(result).isEqualTo(new ConnectResult(ConnectionState.CONNECTING, "data:image/png;base64,AAA", "2@y", 2, null));
    }

    @Test
    void aCodelessAnswerMeansTheSessionEndedAtTheLimit() {
        ConnectResult result = ConnectResult.parse(json("{\"count\":0}"));

        assertThat(result.state()).isEqualTo(ConnectionState.CLOSE);
        assertThat(result.hasQrCode()).isFalse();
    }

    @Test
    void anErrorAnsweredWithA200IsARefusal() {
        assertThatThrownBy(() -> ConnectResult.parse(json("{\"error\":true,\"message\":\"[object Object]\"}")))
                .isInstanceOfSatisfying(EvolutionException.class,
                        failure -> assertThat(failure.kind()).isEqualTo(EvolutionException.Kind.REJECTED))
                .hasMessageContaining("[object Object]");
    }

    @Test
    void anUnknownShapeIsARefusalNamingItsFields() {
        assertThatThrownBy(() -> ConnectResult.parse(json("{\"hello\":1}")))
                .isInstanceOf(EvolutionException.class).hasMessageContaining("hello");
        assertThatThrownBy(() -> ConnectResult.parse(json("[]"))).isInstanceOf(EvolutionException.class);
    }

    private static JsonValue json(String text) {
        try (var reader = Json.createReader(new StringReader(text))) {
            return reader.readValue();
        }
    }
}
