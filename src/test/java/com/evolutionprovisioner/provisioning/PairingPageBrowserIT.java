package com.evolutionprovisioner.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.evolutionprovisioner.testsupport.Browser;
import com.evolutionprovisioner.testsupport.DeployedServiceTest;
import com.evolutionprovisioner.testsupport.Users;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/** The reference pairing page at /connect, in headless Chromium, with the simulator playing the phone. */
class PairingPageBrowserIT extends DeployedServiceTest {

    private static final Duration PAGE_UPDATE = Duration.ofSeconds(30);

    private Browser browser;

    @BeforeEach
    void openBrowser() throws Exception {
        browser = new Browser();
    }

    @AfterEach
    void closeBrowser() {
        browser.close();
    }

    @Test
    void thePageShowsTheQrCodeFollowsItsRefreshAndSaysConnectedOncePaired() throws Exception {
        UUID user = provisionedClosed();
        String instance = Users.instanceNameOf(user);

        browser.open(env.publicBaseUrl() + "/connect#token=" + env.tokens().user(user));
        String firstQr = qrShown();
        assertThat(firstQr).startsWith("data:image/png;base64,");
        assertThat(browser.driver().getCurrentUrl()).as("the token leaves the address bar").doesNotContain("token");
        assertThat(browser.find(By.id("qr-count")).getText()).isEqualTo("Code 1 of 30.");
        browser.screenshot("connect-qr");

        // What the page shows is the code the service received last, which it marks with the service's qrCodeUpdatedAt.
        String before = users.status(user).getString("qrCodeUpdatedAt", null);
        simulator.refreshQr(instance);
        String refreshed = await().atMost(PAGE_UPDATE).until(
                () -> users.status(user).getString("qrCodeUpdatedAt", null), at -> at != null && !at.equals(before));
        browser.await(PAGE_UPDATE, page -> refreshed.equals(page.findElement(By.id("qr")).getDomAttribute("data-updated-at")));
        assertThat(qrShown()).startsWith("data:image/png;base64,").isNotEqualTo(firstQr);
        assertThat(browser.find(By.id("qr-received")).getText()).startsWith("Code received at ");
        browser.screenshot("connect-qr-refreshed");

        browser.find(By.id("number")).sendKeys("5511987654321");
        browser.find(By.cssSelector("#pairing-form button")).click();
        String pairingCode = browser.await(PAGE_UPDATE, page -> {
            String code = page.findElement(By.id("pairing-code")).getText();
            return code.isEmpty() ? null : code;
        });
        assertThat(pairingCode).matches("[A-Z0-9]{8}");
        browser.screenshot("connect-pairing-code");

        simulator.pair(instance, "5511987654321@s.whatsapp.net");
        browser.await(PAGE_UPDATE, page -> page.findElement(By.id("connected")).isDisplayed());
        assertThat(browser.find(By.id("status")).getText()).isEqualTo("Connected.");
        assertThat(browser.find(By.id("qr-section")).isDisplayed()).isFalse();
        browser.screenshot("connect-connected");
    }

    @Test
    void aRefusedTokenSaysSoAndShowsNoCode() throws Exception {
        browser.open(env.publicBaseUrl() + "/connect#token=not-a-token");

        browser.await(PAGE_UPDATE, page -> page.findElement(By.id("status")).getText()
                .equals("Your sign-in was refused or has expired. Sign in again in the application."));
        assertThat(browser.find(By.id("qr-section")).isDisplayed()).isFalse();
    }

    @Test
    void withoutATokenThePageSaysWhereToOpenIt() {
        browser.open(env.publicBaseUrl() + "/connect");

        browser.await(PAGE_UPDATE, page -> page.findElement(By.id("status")).getText()
                .equals("Open this page from your application: it passes your sign-in to it."));
    }

    /** The QR code the page shows (a data URL), once it shows one. */
    private String qrShown() {
        return browser.await(PAGE_UPDATE, page -> {
            WebElement qr = page.findElement(By.id("qr"));
            String source = qr.getDomAttribute("src");
            return qr.isDisplayed() && source != null && !source.isEmpty() ? source : null;
        });
    }

    /** A provisioned user whose instance has no WhatsApp session yet, as after sign-up. */
    private UUID provisionedClosed() {
        UUID user = UUID.randomUUID();
        simulator.preCreateInstance(Users.instanceNameOf(user));
        assertThat(users.signUp(user).status()).isEqualTo(201);
        users.awaitStatus(user, "completed");
        return user;
    }
}
