package io.sluice.admin.ui;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sluice.testkit.Browser;
import java.net.URL;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * Every page of the UI in a real headless Chromium, signed in and out: none writes an error to the browser's console. A
 * screenshot of each goes to {@code target/screenshots}.
 */
@QuarkusTest
class PagesIT {
    private static final List<String> PAGES = List.of("/", "/sources", "/sinks", "/pipelines", "/views", "/schemas", "/rules", "/audits", "/alerts",
            "/backfills", "/dead-letters", "/users", "/search");

    /** Where a screenshot of every page is saved, for a person to look at after a run. */
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");

    @TestHTTPResource("/")
    URL root;

    @Test
    void shouldLoadEveryPageWithoutAConsoleError() {
        try (Browser browser = Browser.start()) {
            browser.open(root + "login");
            Map<String, List<String>> errors = new LinkedHashMap<>();
            record(errors, "/login", browser.consoleErrors());
            SignedIn page = SignedIn.asAdmin(browser, root, Duration.ofSeconds(30));
            for (String path : PAGES) {
                browser.open(page.url(path));
                page.wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("header nav")));
                page.wait.until(d -> d.findElements(By.cssSelector("main > p.muted")).stream().noneMatch(e -> e.getText().equals("Loading…")));
                record(errors, path, browser.consoleErrors());
                browser.screenshot(SCREENSHOTS.resolve((path.equals("/") ? "overview" : path.substring(1)) + ".png"));
            }
            assertThat(errors).as("console errors by page").isEmpty();
        }
    }

    private static void record(Map<String, List<String>> errors, String page, List<String> found) {
        if (!found.isEmpty()) {
            errors.put(page, found);
        }
    }
}
