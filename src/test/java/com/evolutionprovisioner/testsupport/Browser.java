package com.evolutionprovisioner.testsupport;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Headless Chromium driven through chromedriver, both from the operating system's packages (Debian: chromium,
 * chromium-driver): nothing is downloaded at run time. {@code -Dbrowser.chromium} and {@code -Dbrowser.chromedriver}
 * point elsewhere. Screenshots go to target/screenshots.
 */
public final class Browser implements AutoCloseable {

    private final ChromeDriver driver;
    private final Path screenshots;

    public Browser() throws Exception {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(System.getProperty("browser.chromium", "/usr/bin/chromium"));
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1366,900",
                "--lang=en-US");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(Path.of(System.getProperty("browser.chromedriver", "/usr/bin/chromedriver")).toFile())
                .usingAnyFreePort()
                .build();
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60));
        screenshots = Files.createDirectories(Path.of(System.getProperty("project.build.directory", "target"), "screenshots"));
    }

    public WebDriver driver() {
        return driver;
    }

    public void open(String url) {
        driver.get(url);
    }

    public WebElement find(By by) {
        return driver.findElement(by);
    }

    public List<WebElement> findAll(By by) {
        return driver.findElements(by);
    }

    /** Waits until the condition holds (not null, not false); the page updates itself, so waits are generous. */
    public <T> T await(Duration atMost, Function<WebDriver, T> condition) {
        // The pages re-render their tables as they update: an element found a moment ago may be gone.
        return new WebDriverWait(driver, atMost, Duration.ofMillis(200))
                .ignoring(StaleElementReferenceException.class)
                .until(condition);
    }

    /** Saves the page as target/screenshots/{name}.png and returns the file. */
    public Path screenshot(String name) throws Exception {
        Path file = screenshots.resolve(name + ".png");
        Files.copy(driver.getScreenshotAs(OutputType.FILE).toPath(), file, StandardCopyOption.REPLACE_EXISTING);
        return file;
    }

    /** Saves the whole page, taller than the window, by growing the window to the document's height first. */
    public Path fullPageScreenshot(String name) throws Exception {
        Object height = driver.executeScript("return Math.max(document.body.scrollHeight, 900)");
        driver.manage().window().setSize(new Dimension(1366, ((Number) height).intValue() + 40));
        try {
            return screenshot(name);
        } finally {
            driver.manage().window().setSize(new Dimension(1366, 900));
        }
    }

    /** Whether a JavaScript dialog (alert, confirm) is open. */
    public boolean dialogOpen() {
        try {
            driver.switchTo().alert();
            return true;
        } catch (NoAlertPresentException none) {
            return false;
        }
    }

    public Object script(String javaScript, Object... arguments) {
        return driver.executeScript(javaScript, arguments);
    }

    @Override
    public void close() {
        driver.quit();
    }
}
