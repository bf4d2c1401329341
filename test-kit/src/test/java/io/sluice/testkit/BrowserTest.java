package io.sluice.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

class BrowserTest {
    private static final String PAGE = """
            <!doctype html>
            <html><head><meta charset="utf-8"><title>Sluice browser test</title>
            <style>body { font: 24px sans-serif; margin: 40px; } button { font-size: 24px; padding: 8px 24px; }</style>
            </head><body>
            <h1>Sluice</h1>
            <p id="status">Waiting</p>
            <button id="go" type="button">Go</button>
            <script>
              let clicks = 0;
              document.getElementById('go').addEventListener('click', () => {
                clicks++;
                document.getElementById('status').textContent = 'Clicked ' + clicks + ' time' + (clicks === 1 ? '' : 's');
              });
            </script>
            </body></html>
            """;

    private HttpServer server;
    private String url;

    @BeforeEach
    void servePage() throws Exception {
        // Port 0: the operating system picks a free loopback port, so there is no race with other tests.
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            byte[] body = PAGE.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        url = "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    @Test
    void shouldRunThePagesJavaScriptWhenTheButtonIsClickedAndSaveAScreenshot() throws Exception {
        long started = System.nanoTime();
        try (Browser browser = Browser.start()) {
            System.out.printf("headless Chromium started in %d ms%n", (System.nanoTime() - started) / 1_000_000);
            browser.open(url);
            WebDriver driver = browser.driver();
            assertThat(driver.getTitle()).isEqualTo("Sluice browser test");
            assertThat(driver.findElement(By.id("status")).getText()).isEqualTo("Waiting");

            driver.findElement(By.id("go")).click();

            new WebDriverWait(driver, Duration.ofSeconds(5))
                    .until(ExpectedConditions.textToBe(By.id("status"), "Clicked 1 time"));
            Path shot = browser.screenshot(Path.of("target", "screenshots", "browser-test-clicked.png"));
            byte[] png = Files.readAllBytes(shot);
            assertThat(png).hasSizeGreaterThan(1_000);
            assertThat(png).startsWith(0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n');
        }
    }

    @Test
    void shouldLeaveNoProcessAndNoProfileBehindWhenClosed() throws Exception {
        Browser browser = Browser.start();
        browser.open(url);
        Path dir = browser.dir();
        assertThat(dir.resolve("profile")).isDirectory();
        assertThat(browserProcesses()).isNotEmpty();

        browser.close();
        browser.close();

        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!browserProcesses().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(browserProcesses()).isEmpty();
        assertThat(dir).doesNotExist();
    }

    /** chromedriver and Chromium processes started by this JVM that are still running. */
    private static List<String> browserProcesses() {
        return ProcessHandle.current().descendants()
                .filter(ProcessHandle::isAlive)
                .map(p -> p.pid() + " " + p.info().command().orElse("?"))
                .filter(p -> p.contains("chrom"))
                .collect(Collectors.toList());
    }
}
