package io.sluice.testkit;

import io.sluice.embedded.FreePorts;
import io.sluice.embedded.ScratchDirectories;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * A real headless Chromium driven by Selenium: Debian's {@code chromium} and {@code chromium-driver} packages,
 * never a browser or driver downloaded at run time.
 *
 * <p>{@link #start()} launches {@code /usr/bin/chromedriver} on a free loopback port and, through it,
 * {@code /usr/bin/chromium} headless with a fresh profile in a temp dir of its own. The driver executable is set
 * explicitly, so Selenium Manager is never run and nothing reaches the network. {@link #close()} quits the browser,
 * stops chromedriver and deletes the temp dir; a browser that a test forgot to close is closed when the JVM exits.
 *
 * <p>Page loads and scripts time out after {@link #PAGE_LOAD_TIMEOUT} instead of Selenium's five minutes. One
 * instance is for one thread at a time, like the {@link WebDriver} it wraps.
 *
 * <p>Selenium is an optional dependency of the test kit: a module that uses this class declares
 * {@code selenium-chrome-driver} (and {@code selenium-support} for {@code WebDriverWait}) in test scope itself.
 */
public final class Browser implements AutoCloseable {
    /** Debian's Chromium launcher (a shell script that execs {@code /usr/lib/chromium/chromium}). */
    public static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    /** Debian's chromedriver, of the same version as {@link #CHROMIUM}. */
    public static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    public static final Duration PAGE_LOAD_TIMEOUT = Duration.ofSeconds(30);

    /** Headless, no sandbox (tests run as root), and nothing that calls home or updates itself. */
    static final List<String> FLAGS = List.of(
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--window-size=1280,900");

    private final Path dir;
    private final ChromeDriverService service;
    private final ChromeDriver driver;
    private final Thread shutdownHook;
    private boolean closed;

    private Browser(Path dir, ChromeDriverService service, ChromeDriver driver) {
        this.dir = dir;
        this.service = service;
        this.driver = driver;
        this.shutdownHook = new Thread(this::close, "browser-stop");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * Starts chromedriver and a headless Chromium with a fresh profile; the caller closes it.
     *
     * @throws IllegalStateException if Debian's chromium or chromedriver is not installed, or the browser did not
     *     start (the message then ends with the tail of chromedriver's log)
     */
    public static Browser start() {
        requireInstalled();
        Path dir;
        try {
            dir = Files.createTempDirectory("sluice-browser-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path log = dir.resolve("chromedriver.log");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments(FLAGS);
        options.addArguments("--user-data-dir=" + dir.resolve("profile"));
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingPort(FreePorts.next())
                .withLogFile(log.toFile())
                .build();
        try {
            ChromeDriver driver = new ChromeDriver(service, options);
            driver.manage().timeouts().pageLoadTimeout(PAGE_LOAD_TIMEOUT).scriptTimeout(PAGE_LOAD_TIMEOUT);
            return new Browser(dir, service, driver);
        } catch (RuntimeException e) {
            String tail = tail(log, 20);
            try {
                service.stop();
            } catch (RuntimeException stop) {
                e.addSuppressed(stop);
            }
            ScratchDirectories.delete(dir);
            throw new IllegalStateException("headless Chromium did not start: " + e.getMessage()
                    + (tail.isEmpty() ? "" : "\nchromedriver log (last lines):\n" + tail), e);
        }
    }

    private static void requireInstalled() {
        for (Path binary : List.of(CHROMIUM, CHROMEDRIVER)) {
            if (!Files.isExecutable(binary)) {
                throw new IllegalStateException(binary + " is missing: browser tests need Debian's Chromium and "
                        + "its driver; run `apt-get install -y chromium chromium-driver` (as root)");
            }
        }
    }

    /** The Selenium driver, for anything this class does not wrap. Do not call {@code quit()} on it: close this. */
    public WebDriver driver() {
        return driver;
    }

    /** Loads the URL and returns once the page has loaded (at most {@link #PAGE_LOAD_TIMEOUT}). */
    public void open(String url) {
        driver.get(url);
    }

    /**
     * The console's errors since the last call (a failed request such as a missing icon, a script error), each as
     * Chromium wrote it.
     */
    public List<String> consoleErrors() {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream().filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::getMessage).toList();
    }

    /**
     * Saves a PNG of the viewport to {@code file}, creating its parent dirs and replacing an existing file.
     *
     * @return {@code file}
     */
    public Path screenshot(Path file) {
        byte[] png = driver.getScreenshotAs(OutputType.BYTES);
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.write(file, png);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the screenshot " + file, e);
        }
        return file;
    }

    /** Quits the browser, stops chromedriver and deletes the profile; idempotent, never throws. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            driver.quit();
        } catch (RuntimeException e) {
            System.err.println("sluice test kit: the browser did not quit: " + e.getMessage());
        }
        try {
            service.stop();
        } catch (RuntimeException e) {
            System.err.println("sluice test kit: chromedriver did not stop: " + e.getMessage());
        }
        ScratchDirectories.delete(dir);
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // close() is running in the hook itself
        }
    }

    /** The temp dir with the profile and chromedriver's log; gone once closed. */
    Path dir() {
        return dir;
    }

    private static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "";
        }
    }
}
