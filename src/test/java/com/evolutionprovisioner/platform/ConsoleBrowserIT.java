package com.evolutionprovisioner.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.evolutionprovisioner.testsupport.Api;
import com.evolutionprovisioner.testsupport.Browser;
import com.evolutionprovisioner.testsupport.Database;
import com.evolutionprovisioner.testsupport.DeployedServiceTest;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/** The operator console at "/", in headless Chromium: what an operator sees and does with a service-role token. */
class ConsoleBrowserIT extends DeployedServiceTest {

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
    void anOperatorSeesAFailedUserRequeuesItAndWatchesItComplete() throws Exception {
        simulator.failNext(100, 400, "/instance/create");
        UUID user = users.signUpNew();
        users.awaitStatus(user, "failed", Duration.ofSeconds(60));
        simulator.reset();

        signIn(env.tokens().serviceRole());
        String failedRow = browser.await(PAGE_UPDATE, page -> rowContaining("failed", user.toString()));
        assertThat(failedRow).contains("evolution_rejected", "HTTP 400");
        browser.fullPageScreenshot("console-failed-user");

        browser.find(By.cssSelector("button[aria-label='Re-queue user " + user + "']")).click();

        users.awaitStatus(user, "completed");
        search(user.toString());
        browser.await(PAGE_UPDATE, page -> rowContaining("failed", user.toString()) == null
                && String.valueOf(rowContaining("instances", user.toString())).contains("completed"));
        assertThat(browser.find(By.id("message")).getText()).isEqualTo("User " + user + " re-queued.");
        browser.fullPageScreenshot("console-user-requeued-completed");
    }

    @Test
    void anOperatorReplaysOneDeadLetter() throws Exception {
        String instance = "evp-console-dead-letter-" + UUID.randomUUID();
        // An event that failed its five application attempts; contacts.update changes nothing once applied.
        Database.update("""
                INSERT INTO webhook_events (instance_name, event, dedup_key, payload, apply_attempts, apply_error)
                VALUES (?, 'contacts.update', 'console-' || gen_random_uuid(), '{}', 5, 'injected by ConsoleBrowserIT')""",
                instance);
        long id = Database.count("SELECT id FROM webhook_events WHERE instance_name = ?", instance);

        signIn(env.tokens().serviceRole());
        String deadLetter = browser.await(PAGE_UPDATE, page -> rowContaining("dead-letters", instance));
        assertThat(deadLetter).contains("contacts.update", "injected by ConsoleBrowserIT");
        browser.fullPageScreenshot("console-dead-letter");

        browser.find(By.cssSelector("button[aria-label='Replay dead letter " + id + "']")).click();

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(Database.row(
                "SELECT applied_via FROM webhook_events WHERE id = ? AND processed_at IS NOT NULL", id))
                .hasValueSatisfying(row -> assertThat(row).containsEntry("applied_via", "replay")));
        browser.await(PAGE_UPDATE, page -> rowContaining("dead-letters", instance) == null);
        assertThat(browser.find(By.id("message")).getText()).isEqualTo("Dead letter " + id + " replayed.");
    }

    @Test
    void storedMarkupIsShownAsTextAndNeverRuns() throws Exception {
        String markup = "<img src=x onerror=alert(1)>";
        UUID user = UUID.randomUUID();
        assertThat(api.post("/api/profiles", env.tokens().user(user),
                "{\"email\":\"" + user + "@example.com\",\"fullName\":\"" + markup + "\"}").status()).isEqualTo(201);

        signIn(env.tokens().serviceRole());
        search(user.toString());
        String nameCell = browser.await(PAGE_UPDATE, page -> page.findElements(By.cssSelector("#instances tr")).stream()
                .filter(row -> row.getText().contains(user.toString()))
                .map(row -> row.findElements(By.tagName("td")).get(2).getText())
                .findFirst().orElse(null));

        assertThat(nameCell).isEqualTo(markup);
        assertThat(browser.findAll(By.cssSelector("main img"))).isEmpty();
        assertThat(browser.dialogOpen()).isFalse();
        browser.fullPageScreenshot("console-markup-escaped");
    }

    @Test
    void aWrongOrExpiredTokenShowsAMessageAndNoData() throws Exception {
        UUID someone = users.signUpNew();

        signIn("not-a-token");
        assertRefusedWithoutData("The token was refused: it is wrong or has expired.");
        browser.screenshot("console-bad-token");

        signIn(env.tokens().sign("service-role", "service_role", Duration.ofMinutes(-5)));
        assertRefusedWithoutData("The token was refused: it is wrong or has expired.");

        signIn(env.tokens().user(someone));
        assertRefusedWithoutData("This token is not a service-role token");
    }

    @Test
    void thePagesAreServedUnderAStrictContentSecurityPolicyAndTheApiIsUnaffected() {
        Api.Reply console = api.get("/", null);
        Api.Reply pairing = api.get("/connect/", null);
        Api.Reply ping = api.get("/api/ping", null);

        assertThat(console.status()).isEqualTo(200);
        assertThat(console.body()).contains("<title>Evolution Provisioner: operator console</title>");
        assertThat(console.raw().headers().firstValue("Content-Security-Policy")).hasValueSatisfying(policy -> assertThat(policy)
                .contains("default-src 'none'", "script-src 'self'", "frame-ancestors 'none'").doesNotContain("unsafe"));
        assertThat(pairing.status()).isEqualTo(200);
        assertThat(pairing.raw().headers().firstValue("Content-Security-Policy"))
                .hasValueSatisfying(policy -> assertThat(policy).endsWith("frame-ancestors 'self'"));
        assertThat(ping.raw().headers().firstValue("Content-Security-Policy")).isEmpty();
    }

    @Test
    void theInstanceSearchMatchesTextLiterallyAndRefusesBadPaging() {
        UUID user = users.signUpNew();
        String token = env.tokens().serviceRole();

        Api.Reply byId = api.get("/api/admin/instances?search=" + user, token);
        // No name, email or id here contains an underscore: as a LIKE wildcard it would match every row.
        Api.Reply underscore = api.get("/api/admin/instances?search=_", token);
        Api.Reply badSize = api.get("/api/admin/instances?size=0", token);

        assertThat(byId.status()).isEqualTo(200);
        assertThat(byId.jsonValue().asJsonArray()).hasSize(1);
        assertThat(byId.jsonValue().asJsonArray().getJsonObject(0).getString("email")).isEqualTo(user + "@example.com");
        assertThat(underscore.jsonValue().asJsonArray()).isEmpty();
        assertThat(badSize.status()).isEqualTo(400);
        assertThat(badSize.json().getString("error")).isEqualTo("bad_request");
    }

    private void assertRefusedWithoutData(String message) {
        browser.await(PAGE_UPDATE, page -> page.findElement(By.id("message")).getText().startsWith(message));
        assertThat(browser.find(By.id("console")).isDisplayed()).isFalse();
        assertThat(browser.find(By.id("sign-in")).isDisplayed()).isTrue();
        assertThat(browser.findAll(By.cssSelector("#console tbody tr, #stats div"))).isEmpty();
        assertThat(browser.script("return sessionStorage.length")).isEqualTo(0L);
    }

    private void signIn(String token) {
        browser.open(env.publicBaseUrl() + "/");
        browser.find(By.id("token")).sendKeys(token);
        browser.find(By.id("sign-in-button")).click();
    }

    private void search(String text) {
        WebElement field = browser.await(PAGE_UPDATE, page -> {
            WebElement search = page.findElement(By.id("search"));
            return search.isDisplayed() ? search : null;
        });
        field.clear();
        field.sendKeys(text);
        browser.find(By.cssSelector("#search-form button")).click();
    }

    /** The text of the row of the table body with this id that contains {@code text}, or null. */
    private String rowContaining(String tbodyId, String text) {
        return browser.findAll(By.cssSelector("#" + tbodyId + " tr")).stream()
                .map(WebElement::getText)
                .filter(row -> row.contains(text))
                .findFirst().orElse(null);
    }
}
